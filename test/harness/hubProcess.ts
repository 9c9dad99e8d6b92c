import { signDevelopmentToken } from '@cdo-hub/gateway';
import { AGENCIES, AgencyDatabase, repoRoot } from '@cdo-hub/subgraph-kit';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './freePort';
import { startOnFreePorts, TestProcess } from './testProcess';

/** Secrets the test hubs run with, so tests can sign tokens the gateway accepts. */
export const TEST_SECRETS = {
  HUB_JWT_SECRET: 'e2e-jwt-secret-0123456789abcdefghijklmnop',
  HUB_SUBGRAPH_SIGNING_KEY: 'e2e-subgraph-signing-key-0123456789abcdef',
  HUB_MASK_HASH_KEY: 'e2e-mask-hash-key-0123456789abcdefghijklm',
};

/**
 * Gateway settings every test hub starts with: load tests send thousands of requests a minute as
 * one consumer, so the rate limit is set far above them (the rate-limit test sets its own).
 */
export const TEST_GATEWAY_SETTINGS = { RATE_LIMIT_PER_MINUTE: '1000000' };

/** A development token for a consumer, signed with the test hubs' secret. */
export function tokenFor(consumer: string, purpose?: string, roles?: string[]): Promise<string> {
  return signDevelopmentToken(TEST_SECRETS.HUB_JWT_SECRET, {
    consumer,
    ttlSeconds: 3600,
    ...(purpose ? { purpose } : {}),
    ...(roles ? { roles } : {}),
  });
}

/** Headers of the hub's operators (`hub-operations`, role hub-operator): what /metrics and the detail of /readyz take. */
export async function asOperator(): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await tokenFor('hub-operations', undefined, ['hub-operator'])}` };
}

/** A gateway's Prometheus metrics, read as its operators; `gateway` is its GraphQL URL or its origin. */
export async function gatewayMetrics(gateway: string): Promise<string> {
  const response = await fetch(new URL('/metrics', gateway), { headers: await asOperator() });
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}: ${await response.text()}`);
  return response.text();
}

/** A gateway's `/readyz` with the detail operators see (subgraphs, circuits, cache); `gateway` is its GraphQL URL or its origin. */
export async function gatewayReadiness<Body = Record<string, any>>(
  gateway: string,
): Promise<{ status: number; body: Body }> {
  const response = await fetch(new URL('/readyz', gateway), { headers: await asOperator() });
  return { status: response.status, body: (await response.json()) as Body };
}

/** Request headers of a consumer stating a purpose. */
export async function as(consumer: string, purpose?: string): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await tokenFor(consumer)}`, ...(purpose ? { 'x-data-purpose': purpose } : {}) };
}

/** A process's resident set size in MB, from /proc/<pid>/status (Linux); undefined once it is gone. */
export function residentMemoryMb(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

export interface GraphQLResponse<Data = Record<string, any>> {
  status: number;
  headers: Headers;
  body: {
    data?: Data | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  };
}

/** A GraphQL POST to a gateway, answered whatever its status. */
export async function queryGateway<Data = Record<string, any>>(
  gatewayUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<Data>> {
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as GraphQLResponse<Data>['body'],
  };
}

/** An agency's seeded database in a hub's data folder, read-only, to check answers against. */
export function agencyDatabase(dataDir: string, agency: string): AgencyDatabase {
  return new AgencyDatabase(join(dataDir, `${agency}.sqlite`), { readonly: true });
}

/**
 * The whole hub as a user runs it — `hub start`, a child process that starts the three agency
 * subgraphs and the gateway — on free ports with databases in a temporary folder.
 */
export class HubProcess {
  private constructor(
    private readonly process: TestProcess,
    readonly gatewayUrl: string,
    readonly ports: Record<string, number>,
    readonly dataDir: string,
    private readonly ownsDataDir: boolean,
  ) {}

  static async start(options: { dataDir?: string; env?: NodeJS.ProcessEnv } = {}): Promise<HubProcess> {
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cdo-hub-e2e-'));
    return startOnFreePorts(async () => {
      const ports: Record<string, number> = { gateway: await freePort() };
      const env: NodeJS.ProcessEnv = {
        ...globalThis.process.env,
        ...TEST_SECRETS,
        ...TEST_GATEWAY_SETTINGS,
        HUB_DATA_DIR: dataDir,
        SCHEMA_REGISTRY_DIR: join(dataDir, 'registry'),
        GATEWAY_PORT: String(ports.gateway),
        GATEWAY_HOST: '127.0.0.1',
        ...options.env,
      };
      for (const agency of AGENCIES) {
        ports[agency.id] = await freePort();
        env[`${agency.envPrefix}_PORT`] = String(ports[agency.id]);
      }
      const process = await TestProcess.start({
        name: 'hub start',
        args: [join(repoRoot(), 'scripts', 'bin', 'hub.js'), 'start'],
        env,
        ready: { output: /cdo-hub ready in/ },
      });
      return new HubProcess(
        process,
        `http://127.0.0.1:${ports.gateway}/graphql`,
        ports,
        dataDir,
        options.dataDir === undefined,
      );
    });
  }

  /** The `hub start` process. */
  get child(): ChildProcess {
    return this.process.child;
  }

  /** Everything the hub printed so far. */
  get log(): string {
    return this.process.log;
  }

  /** Resolves once the hub's output matches `pattern`; rejects if it exits first or time runs out. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void> {
    return this.process.waitForOutput(pattern, timeoutMs);
  }

  query<Data = Record<string, any>>(
    query: string,
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): Promise<GraphQLResponse<Data>> {
    return queryGateway<Data>(this.gatewayUrl, query, variables, headers);
  }

  /**
   * The hub's own children — the gateway and each agency subgraph — by name, read from /proc
   * (Linux): their pids, to check they are alive and to read their memory.
   */
  children(): { name: string; pid: number }[] {
    const pid = this.child.pid;
    if (pid === undefined) return [];
    const listed = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return listed
      ? listed
          .split(/\s+/)
          .map(Number)
          .flatMap((childPid) => {
            const script = readFileSync(`/proc/${childPid}/cmdline`, 'utf8').split('\0')[1] ?? '';
            const name = /gateway\/dist\/main\.js$/.test(script)
              ? 'gateway'
              : /subgraphs\/([^/]+)\/dist\/main\.js$/.exec(script)?.[1];
            return name ? [{ name, pid: childPid }] : [];
          })
      : [];
  }

  /** The gateway process's pid (not the `hub start` parent's). */
  gatewayPid(): number {
    const gateway = this.children().find((c) => c.name === 'gateway');
    if (!gateway) throw new Error(`the hub has no gateway process:\n${this.log}`);
    return gateway.pid;
  }

  /** An agency's seeded database, read-only, to check answers against. */
  database(agency: string): AgencyDatabase {
    return agencyDatabase(this.dataDir, agency);
  }

  /** SIGTERM, as Ctrl-C or an orchestrator would; resolves with the exit code. */
  async stop(): Promise<number | null> {
    const code = await this.process.stop();
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
    return code;
  }
}
