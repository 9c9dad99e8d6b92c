import type { AgencyDatabase } from '@cdo-hub/subgraph-kit';
import { readFileSync } from 'node:fs';
import { agencyDatabase, HubProcess, queryGateway, type GraphQLResponse } from './hubProcess';
import { until } from './until';

/**
 * The e2e files that only read from a hub with the default settings — through its gateway, or
 * through its agencies behind a gateway of their own: no grant, schema, policy or data change, no
 * stop or restart, no count of metrics or audit records another file's traffic would change.
 * A whole jest run starts one hub for all of them (`sharedHubSetup.ts`) instead of one each — a
 * hub start is about 5 CPU-seconds. A file that changes anything starts its own hub.
 */
export const READ_ONLY_HUB_FILES = [
  'browser',
  'crossAgency',
  'cursors',
  'enforcement',
  'graphqlOverHttp',
  'httpCaching',
  'playgroundBrowser',
  'policyImpact',
  'policyLifecycle',
  'subgraphProtection',
  'supergraphSwitch',
] as const;

/** Where the run's shared hub is, for the test files (set by the global setup, read by `readOnlyHub`). */
export const SHARED_HUB_VARIABLE = 'CDO_E2E_SHARED_HUB';

/** What the test files need to reach the shared hub: its addresses, data folder and the file its output goes to. */
export interface SharedHubAddress {
  gatewayUrl: string;
  ports: Record<string, number>;
  dataDir: string;
  logFile: string;
}

/** What a read-only file may do with its hub: ask, read the databases and the output, and let go of it. */
export interface ReadOnlyHub {
  readonly gatewayUrl: string;
  readonly ports: Record<string, number>;
  readonly dataDir: string;
  /** Everything the hub printed so far. */
  readonly log: string;
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void>;
  query<Data = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<Data>>;
  database(agency: string): AgencyDatabase;
  /** Stops a hub of the file's own; leaves the run's shared hub to the global teardown. */
  release(): Promise<void>;
}

/**
 * A hub with the default settings for a file that only reads from it: the jest run's shared hub
 * when the run has one (it runs several of READ_ONLY_HUB_FILES), else one of the file's own.
 */
export async function readOnlyHub(): Promise<ReadOnlyHub> {
  const shared = process.env[SHARED_HUB_VARIABLE];
  return shared ? new AttachedHub(JSON.parse(shared) as SharedHubAddress) : new OwnHub(await HubProcess.start());
}

class OwnHub implements ReadOnlyHub {
  constructor(private readonly hub: HubProcess) {}
  get gatewayUrl() {
    return this.hub.gatewayUrl;
  }
  get ports() {
    return this.hub.ports;
  }
  get dataDir() {
    return this.hub.dataDir;
  }
  get log() {
    return this.hub.log;
  }
  waitForOutput(pattern: RegExp, timeoutMs: number) {
    return this.hub.waitForOutput(pattern, timeoutMs);
  }
  query<Data = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ) {
    return this.hub.query<Data>(query, variables, headers);
  }
  database(agency: string) {
    return this.hub.database(agency);
  }
  async release() {
    await this.hub.stop();
  }
}

/** The run's shared hub, reached through its address; its output is read from the file the setup writes. */
class AttachedHub implements ReadOnlyHub {
  constructor(private readonly address: SharedHubAddress) {}
  get gatewayUrl() {
    return this.address.gatewayUrl;
  }
  get ports() {
    return this.address.ports;
  }
  get dataDir() {
    return this.address.dataDir;
  }
  get log() {
    return readFileSync(this.address.logFile, 'utf8');
  }
  async waitForOutput(pattern: RegExp, timeoutMs: number) {
    await until(() => pattern.test(this.log), timeoutMs, 50).catch(() => {
      throw new Error(`the shared hub did not print ${pattern} within ${timeoutMs} ms:\n${this.log}`);
    });
  }
  query<Data = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ) {
    return queryGateway<Data>(this.gatewayUrl, query, variables, headers);
  }
  database(agency: string) {
    return agencyDatabase(this.dataDir, agency);
  }
  async release() {}
}
