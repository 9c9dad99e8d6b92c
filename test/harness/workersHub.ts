import { AGENCIES, repoRoot } from '@cdo-hub/subgraph-kit';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgencyProcess, seedAgencyDatabases } from './agencyProcess';
import { freePort } from './freePort';
import { TEST_GATEWAY_SETTINGS, TEST_SECRETS } from './hubProcess';
import { startOnFreePorts, TestProcess } from './testProcess';

/** An answer read off a connection of its own. */
export interface FreshAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/**
 * A request on a new connection (no keep-alive): a cluster hands each connection to the next
 * worker, so successive calls reach every worker in turn — what a test of sharing needs.
 */
export function onFreshConnection(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<FreshAnswer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const call = request(
      url,
      {
        method: options.method ?? (body ? 'POST' : 'GET'),
        agent: false,
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...options.headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON (metrics): the text itself
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: parsed });
        });
        response.on('error', reject);
      },
    );
    call.on('error', reject);
    // Never wait forever: a connection handed to a worker as it dies may never be answered.
    call.setTimeout(10_000, () => call.destroy(new Error(`no answer from ${url} within 10 s`)));
    call.end(body);
  });
}

/**
 * The hub with a gateway of several worker processes: each agency subgraph on its own, and the
 * gateway's own program (`gateway/dist/main.js`, what `hub start` runs) with `GATEWAY_WORKERS`,
 * on the committed supergraph, logging at info so each request's worker can be read back.
 */
export class WorkersHub {
  private constructor(
    readonly dataDir: string,
    readonly subgraphs: Record<string, AgencyProcess>,
    readonly gateway: TestProcess,
    readonly url: string,
  ) {}

  static async start(workers: number, gatewayEnv: NodeJS.ProcessEnv = {}): Promise<WorkersHub> {
    const dataDir = mkdtempSync(join(tmpdir(), 'cdo-hub-workers-'));
    await seedAgencyDatabases(dataDir);
    const subgraphs: Record<string, AgencyProcess> = {};
    try {
      for (const agency of AGENCIES)
        subgraphs[agency.id] = await startOnFreePorts(async () =>
          AgencyProcess.start(agency.id, await freePort(), dataDir),
        );
      return await startOnFreePorts(async () => {
        const port = await freePort();
        const gateway = await TestProcess.start({
          name: `gateway (${workers} workers)`,
          args: [join(repoRoot(), 'gateway', 'dist', 'main.js')],
          env: {
            ...globalThis.process.env,
            ...TEST_SECRETS,
            ...TEST_GATEWAY_SETTINGS,
            GATEWAY_HOST: '127.0.0.1',
            GATEWAY_PORT: String(port),
            GATEWAY_WORKERS: String(workers),
            HUB_DATA_DIR: dataDir,
            SCHEMA_REGISTRY_DIR: join(dataDir, 'registry'),
            SUPERGRAPH_FILE: join(repoRoot(), 'schema', 'supergraph.graphql'),
            LOG_LEVEL: 'info',
            ...Object.fromEntries(AGENCIES.map((agency) => [`${agency.envPrefix}_URL`, subgraphs[agency.id]!.url])),
            ...gatewayEnv,
          },
          ready: { ipc: true },
        });
        return new WorkersHub(dataDir, subgraphs, gateway, `http://127.0.0.1:${port}/graphql`);
      });
    } catch (error) {
      for (const subgraph of Object.values(subgraphs)) await subgraph.stop();
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The worker (its slot) whose request log names this request id; undefined if none does (yet). */
  workerOf(requestId: string): number | undefined {
    for (const line of this.gateway.log.split('\n')) {
      if (!line.includes(requestId) || !line.startsWith('{')) continue;
      try {
        const entry = JSON.parse(line) as { worker?: number; reqId?: string; requestId?: string };
        if (entry.worker !== undefined && (entry.reqId === requestId || entry.requestId === requestId))
          return entry.worker;
      } catch {
        // a line split across chunks
      }
    }
    return undefined;
  }

  /** The primary's children — its workers — from /proc (Linux). */
  workerPids(): number[] {
    const pid = this.gateway.pid;
    if (pid === undefined) return [];
    const listed = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return listed ? listed.split(/\s+/).map(Number) : [];
  }

  /** Stops the gateway (if still running) and every subgraph, and removes the data. */
  async stop(): Promise<void> {
    await this.gateway.stop();
    for (const subgraph of Object.values(this.subgraphs)) await subgraph.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
