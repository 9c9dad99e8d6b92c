import { isErrorCode } from '@cdo-hub/gateway/errors';
import { loadSecrets } from '@cdo-hub/gateway/identity';
import { AgencyDatabase } from '@cdo-hub/subgraph-kit/database';
import { agencyDatabaseFile, repoRoot } from '@cdo-hub/subgraph-kit/paths';
import { findAgency } from '@cdo-hub/subgraph-kit/agencies';
import { readFileSync, rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { AGENCY_PACKAGES } from '../agencies';
import { runLoad } from '../bench/load';
import { issueDevelopmentToken } from '../token/issueToken';
import { startHub } from '../start/startHub';
import { soakMix } from './soakWorkload';

export interface SoakOptions {
  minutes: number;
  connections: number;
  /** Seconds between samples of the gateway's memory and the traffic (default 10). */
  sampleSeconds?: number;
  log: (line: string) => void;
}

/** What the gateway looked like at one moment, and the traffic since the sample before. */
export interface SoakSample {
  atSeconds: number;
  rssMb: number;
  heapUsedMb: number;
  requestsPerSecond: number;
  statuses: Record<string, number>;
}

export interface SoakReport {
  date: string;
  command: string;
  machine: { cpus: number; model: string; memoryGb: number; node: string };
  settings: { minutes: number; connections: number; sampleSeconds: number; dataset: string; cache: string };
  mix: { name: string; kind: string; share: number }[];
  samples: SoakSample[];
  totals: {
    requests: number;
    requestsPerSecond: number;
    statuses: Record<string, number>;
    failures: number;
    firstFailure?: string;
  };
}

const BASE_PORT = 14_300;

/** A process's resident set size in MB (Linux /proc); 0 once it is gone. */
function residentMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** The gateway's V8 heap in use, from its own Prometheus metrics (read as the hub's operators). */
async function heapUsedMb(gatewayUrl: string, operatorToken: string): Promise<number> {
  try {
    const metrics = await (
      await fetch(new URL('/metrics', gatewayUrl), {
        headers: { authorization: `Bearer ${operatorToken}` },
        signal: AbortSignal.timeout(5_000),
      })
    ).text();
    return Number(/^cdo_hub_nodejs_heap_size_used_bytes (\S+)$/m.exec(metrics)?.[1] ?? 0) / 2 ** 20;
  } catch {
    return 0;
  }
}

/**
 * `hub soak`: the whole hub (three subgraphs and the gateway, as `hub start` runs them, Redis off:
 * in-memory cache, JSONL audit) under a steady mixed load for `minutes`, sampling the gateway's
 * RSS and V8 heap every `sampleSeconds` with the requests per second and statuses in between.
 * Not part of CI: a full run takes ten minutes of a quiet machine.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const { log, minutes, connections } = options;
  const sampleSeconds = options.sampleSeconds ?? 10;
  const dataDir = join(repoRoot(), '.data', 'soak');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HUB_DATA_DIR: dataDir,
    SCHEMA_REGISTRY_DIR: join(dataDir, 'registry'),
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_PORT: String(BASE_PORT),
    LOG_LEVEL: 'warn',
    // Five consumers at hundreds of requests a second each: the limit is counted but set far above the load.
    RATE_LIMIT_PER_MINUTE: '1000000',
  };
  // The embedded defaults: no Redis for the cache, the audit trail or change events.
  for (const name of ['REDIS_URL', 'AUDIT_REDIS_URL', 'REDIS_SENTINELS', 'REDIS_MODE']) delete env[name];
  AGENCY_PACKAGES.forEach((agency, i) => (env[`${agency.envPrefix}_PORT`] = String(BASE_PORT + 1 + i)));
  const secrets = loadSecrets({ production: false, env });
  Object.assign(env, {
    HUB_JWT_SECRET: secrets.jwtSecret,
    HUB_SUBGRAPH_SIGNING_KEY: secrets.subgraphSigningKey,
    HUB_MASK_HASH_KEY: secrets.maskHashKey,
  });
  // A fresh audit trail each run: ten minutes of load writes a few hundred MB of it.
  rmSync(join(dataDir, 'audit'), { recursive: true, force: true });

  const hub = await startHub({ env, log, seedSize: 'small' });
  try {
    const gatewayPid = hub.processes.find((p) => p.name === 'gateway')!.child.pid!;
    const databases = {
      education: new AgencyDatabase(agencyDatabaseFile(findAgency('education'), env), { readonly: true }),
      developmentReform: new AgencyDatabase(agencyDatabaseFile(findAgency('development-reform'), env), {
        readonly: true,
      }),
    };
    const tokens = new Map<string, string>();
    for (const consumer of ['science', 'district-haidian', 'city-analytics', 'development-reform', 'education'])
      tokens.set(consumer, await issueDevelopmentToken({ consumer, ttl: '2h' }, env));
    const operatorToken = await issueDevelopmentToken(
      { consumer: 'hub-operations', roles: ['hub-operator'], ttl: '2h' },
      env,
    );
    const mix = soakMix(databases, (consumer) => tokens.get(consumer)!);
    databases.education.close();
    databases.developmentReform.close();
    log(
      `hub up in ${(hub.readyAfterMs / 1000).toFixed(1)} s; soaking ${hub.gatewayUrl} for ${minutes} min with ${connections} connections`,
    );

    const samples: SoakSample[] = [];
    let interval: Record<string, number> = {};
    const total: Record<string, number> = {};
    const started = performance.now();
    let last = started;
    const sample = async () => {
      const now = performance.now();
      const statuses = interval;
      interval = {};
      const count = Object.values(statuses).reduce((sum, n) => sum + n, 0);
      const taken: SoakSample = {
        atSeconds: Math.round((now - started) / 1000),
        rssMb: Math.round(residentMb(gatewayPid)),
        heapUsedMb: Math.round(await heapUsedMb(hub.gatewayUrl, operatorToken)),
        requestsPerSecond: Math.round(count / Math.max((now - last) / 1000, 0.001)),
        statuses,
      };
      last = now;
      samples.push(taken);
      const codes = Object.entries(statuses)
        .map(([status, n]) => `${status}×${n}`)
        .join(' ');
      log(
        `${String(taken.atSeconds).padStart(5)} s  RSS ${String(taken.rssMb).padStart(4)} MB  heap ${String(taken.heapUsedMb).padStart(4)} MB  ${String(taken.requestsPerSecond).padStart(5)} req/s  ${codes}`,
      );
    };
    await sample();
    const sampler = setInterval(() => void sample(), sampleSeconds * 1000);
    let result;
    try {
      result = await runLoad({
        url: hub.gatewayUrl,
        requests: mix.map((kind) => kind.request),
        connections,
        durationSeconds: Math.round(minutes * 60),
        pid: gatewayPid,
        // Every answer, good or refused, is JSON whose errors all carry a catalogued code.
        verify: (body) => {
          try {
            const parsed = JSON.parse(body) as { data?: unknown; errors?: { extensions?: { code?: unknown } }[] };
            return (
              (parsed.data !== undefined || !!parsed.errors?.length) &&
              (parsed.errors ?? []).every((error) => isErrorCode(error.extensions?.code))
            );
          } catch {
            return false;
          }
        },
        onResponse: (status) => {
          interval[status] = (interval[status] ?? 0) + 1;
          total[status] = (total[status] ?? 0) + 1;
        },
      });
    } finally {
      clearInterval(sampler);
    }
    await sample();
    const gone = hub.processes.filter((p) => !p.running).map((p) => p.name);
    if (gone.length) log(`exited during the soak: ${gone.join(', ')}`);
    // Failures: connection errors, timeouts and bodies that failed the check; refusals (4xx) are expected.
    const non2xxExpected = Object.entries(total)
      .filter(([status]) => !status.startsWith('2'))
      .reduce((sum, [, n]) => sum + n, 0);
    return {
      date: new Date().toISOString(),
      command: `npm run -s hub -- soak --minutes ${minutes} --connections ${connections}`,
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model ?? 'unknown',
        memoryGb: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      settings: { minutes, connections, sampleSeconds, dataset: 'small', cache: 'memory (Redis off)' },
      mix: summarise(mix),
      samples,
      totals: {
        requests: result.total,
        requestsPerSecond: Math.round(result.requestsPerSecond),
        statuses: total,
        failures:
          result.failures -
          non2xxExpected +
          Object.entries(total)
            .filter(([status]) => status.startsWith('5'))
            .reduce((sum, [, n]) => sum + n, 0),
        ...(result.firstFailure ? { firstFailure: result.firstFailure } : {}),
      },
    };
  } finally {
    await hub.stop();
  }
}

function summarise(mix: ReturnType<typeof soakMix>): SoakReport['mix'] {
  const counts = new Map<string, { kind: string; n: number }>();
  for (const request of mix)
    counts.set(request.name, { kind: request.kind, n: (counts.get(request.name)?.n ?? 0) + 1 });
  return [...counts].map(([name, { kind, n }]) => ({ name, kind, share: Math.round((n / mix.length) * 1000) / 10 }));
}
