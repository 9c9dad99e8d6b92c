import { loadSecrets } from '@cdo-hub/gateway';
import { AgencyDatabase, agencyDatabaseFile, agencyUrl, findAgency, repoRoot } from '@cdo-hub/subgraph-kit';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { AGENCY_PACKAGES } from '../agencies';
import { agencySubgraphSources, composeSupergraph } from '../compose/composeSupergraph';
import { issueDevelopmentToken } from '../policy/policyCommands';
import { planStartSeeding, seedAgencies } from '../seed/seedAgencies';
import { assertPortFree, ManagedProcess } from '../start/processes';
import { runLoad, type LoadRequest, type LoadResult } from './load';
import { runAuditMicroBenchmarks, runMicroBenchmarks, type MicroResult } from './micro';
import { benchWorkloads, directSubgraphWorkload, type Workload } from './workloads';

export interface BenchOptions {
  quick: boolean;
  log: (line: string) => void;
}

interface Row {
  id: string;
  label: string;
  url: string;
  process?: ManagedProcess;
}

export interface BenchReport {
  date: string;
  command: string;
  machine: { cpus: number; model: string; memoryGb: number; node: string };
  settings: { rounds: number; durationSeconds: number; warmupSeconds: number; connections: number; dataset: string };
  workloads: { name: string; description: string }[];
  results: { workload: string; row: string; label: string; rounds: LoadResult[] }[];
  micro: MicroResult[];
}

const BASE_PORT = 14_100;

/**
 * `npm run bench`: the subgraphs on the bench dataset, then each gateway in turn on the same
 * supergraph and workload, in alternating order round after round so drift cancels out.
 *   (a) bare @apollo/gateway + @apollo/server — the baseline
 *   (c) cdo-hub in --open mode (no policy)
 *   (d) cdo-hub enforcing the policies, no cache
 *   (e) cdo-hub enforcing the policies, in-memory response cache (warm after the warm-up)
 *   (f) the same with the cache on Redis (when `redis-server` is installed)
 *   (g) the response cache off, the fetch cache (entities, root fields) warm: what the layer
 *       below the planner saves when whole responses cannot be reused
 * plus the single-agency query sent straight to the subgraph: the ceiling for a gateway hop.
 */
export async function runBenchmark(options: BenchOptions): Promise<BenchReport> {
  const { log, quick } = options;
  const rounds = quick ? 2 : 5;
  const durationSeconds = quick ? 4 : 10;
  const warmupSeconds = quick ? 2 : 3;
  const connections = 10;
  const dataDir = join(repoRoot(), '.data', 'bench');
  const secrets = loadSecrets({ production: false });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HUB_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    HUB_JWT_SECRET: secrets.jwtSecret,
    HUB_SUBGRAPH_SIGNING_KEY: secrets.subgraphSigningKey,
    HUB_MASK_HASH_KEY: secrets.maskHashKey,
  };

  const seeding = planStartSeeding('bench', env);
  for (const { agency } of seeding.reseed) seedAgencies({ size: 'bench', agencies: [agency.id], env, log });

  const ports = AGENCY_PACKAGES.map((_, i) => BASE_PORT + 1 + i);
  AGENCY_PACKAGES.forEach((agency, i) => (env[`${agency.envPrefix}_PORT`] = String(ports[i])));
  for (const port of [...ports, BASE_PORT + 10, BASE_PORT + 11, BASE_PORT + 12, BASE_PORT + 13, BASE_PORT + 14, BASE_PORT + 15, BASE_PORT + 20]) await assertPortFree(port, 'benchmark');

  // One supergraph, routed to the benchmark's subgraphs, for every gateway.
  const work = mkdtempSync(join(tmpdir(), 'cdo-hub-bench-'));
  // Each enforcing gateway keeps its own audit trail (one writer per chain), on the data disk.
  const ownTrail = (row: string) => ({ AUDIT_DIR: join(dataDir, `audit-bench-${row}`) });
  const composed = composeSupergraph(agencySubgraphSources().map((source) => ({ ...source, url: agencyUrl(findAgency(source.name), env) })));
  if (!composed.ok) throw new Error(composed.errors.join('\n'));
  const supergraphFile = join(work, 'supergraph.graphql');
  writeFileSync(supergraphFile, composed.supergraphSdl);

  const processes: ManagedProcess[] = [];
  // Row (f)'s Redis: a throwaway server, no persistence, evicting like a cache should.
  const redis = commandExists('redis-server')
    ? spawn('redis-server', ['--port', String(BASE_PORT + 20), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory', '512mb', '--maxmemory-policy', 'allkeys-lru'], { stdio: 'ignore' })
    : undefined;
  const quiet = (line: string) => (/"level":(40|50|60)/.test(line) && !/OPEN MODE/.test(line) ? log(line) : undefined);
  try {
    for (const agency of AGENCY_PACKAGES) processes.push(new ManagedProcess(agency.id, agency.mainFile, env, quiet));
    const hub = join(repoRoot(), 'scripts', 'bin', 'hub.js');
    const rows: Row[] = [
      { id: 'a', label: '(a) @apollo/gateway, bare', url: `http://127.0.0.1:${BASE_PORT + 10}/`, process: new ManagedProcess('bare', join(__dirname, 'bareGateway.js'), { ...env, SUPERGRAPH_FILE: supergraphFile, GATEWAY_PORT: String(BASE_PORT + 10) }, quiet) },
      { id: 'c', label: '(c) cdo-hub --open', url: `http://127.0.0.1:${BASE_PORT + 11}/graphql`, process: new ManagedProcess('open', hub, { ...env, GATEWAY_HOST: '127.0.0.1' }, quiet, ['gateway', '--open', '--supergraph', supergraphFile, '--port', String(BASE_PORT + 11)]) },
      { id: 'd', label: '(d) cdo-hub, policies enforced, no cache', url: `http://127.0.0.1:${BASE_PORT + 12}/graphql`, process: new ManagedProcess('enforced', hub, { ...env, ...ownTrail('d'), CACHE: 'off', GATEWAY_HOST: '127.0.0.1' }, quiet, ['gateway', '--supergraph', supergraphFile, '--port', String(BASE_PORT + 12)]) },
      { id: 'e', label: '(e) cdo-hub, in-memory cache warm', url: `http://127.0.0.1:${BASE_PORT + 13}/graphql`, process: new ManagedProcess('memory-cache', hub, { ...env, ...ownTrail('e'), GATEWAY_HOST: '127.0.0.1' }, quiet, ['gateway', '--supergraph', supergraphFile, '--port', String(BASE_PORT + 13)]) },
    ];
    if (redis) {
      rows.push({ id: 'f', label: '(f) cdo-hub, Redis cache warm', url: `http://127.0.0.1:${BASE_PORT + 14}/graphql`, process: new ManagedProcess('redis-cache', hub, { ...env, ...ownTrail('f'), REDIS_URL: `redis://127.0.0.1:${BASE_PORT + 20}`, GATEWAY_HOST: '127.0.0.1' }, quiet, ['gateway', '--supergraph', supergraphFile, '--port', String(BASE_PORT + 14)]) });
    } else {
      log('redis-server is not installed: row (f) is skipped');
    }
    rows.push({ id: 'g', label: '(g) cdo-hub, fetch cache only (entities, root fields) warm', url: `http://127.0.0.1:${BASE_PORT + 15}/graphql`, process: new ManagedProcess('fetch-cache', hub, { ...env, ...ownTrail('g'), CACHE_LAYERS: 'entity,root', GATEWAY_HOST: '127.0.0.1' }, quiet, ['gateway', '--supergraph', supergraphFile, '--port', String(BASE_PORT + 15)]) });
    for (const row of rows) processes.push(row.process!);
    await Promise.all(processes.map((p) => p.listening));
    log(`subgraphs and gateways up; dataset bench in ${dataDir}`);

    const databases = {
      education: new AgencyDatabase(agencyDatabaseFile(findAgency('education'), env), { readonly: true }),
      developmentReform: new AgencyDatabase(agencyDatabaseFile(findAgency('development-reform'), env), { readonly: true }),
    };
    const workloads = benchWorkloads(databases);
    databases.education.close();
    databases.developmentReform.close();
    const tokens = new Map<string, string>();
    for (const consumer of new Set(workloads.flatMap((w) => w.requests.flatMap((r) => (r.consumer ? [r.consumer] : []))))) {
      tokens.set(consumer, await issueDevelopmentToken({ consumer, ttl: '2h' }, env));
    }
    const toLoad = (workload: Workload): LoadRequest[] =>
      workload.requests.map((request): LoadRequest => ({
        body: JSON.stringify({ query: request.query }),
        headers: request.consumer ? { authorization: `Bearer ${tokens.get(request.consumer)}`, 'x-data-purpose': request.purpose ?? '' } : ({} as Record<string, string>),
      }));

    const direct: Row = { id: 'ceiling', label: 'direct subgraph call (ceiling)', url: agencyUrl(findAgency('education'), env), process: processes[0]! };
    const results = new Map<string, { workload: string; row: string; label: string; rounds: LoadResult[] }>();
    const record = (workload: Workload, row: Row, result: LoadResult) => {
      const key = `${workload.name}|${row.id}`;
      const entry = results.get(key) ?? { workload: workload.name, row: row.id, label: row.label, rounds: [] };
      entry.rounds.push(result);
      results.set(key, entry);
    };
    for (let round = 0; round < rounds; round++) {
      const order = rows.map((_, i) => rows[(i + round) % rows.length]!);
      for (const workload of workloads) {
        const targets = workload.name === 'single-agency' ? [...order, direct] : order;
        for (const row of targets) {
          const load = row.id === 'ceiling' ? toLoad(directSubgraphWorkload(workloads)) : toLoad(workload);
          await runLoad({ url: row.url, requests: load, connections, durationSeconds: warmupSeconds, verify: workload.verify, ...(row.process?.child.pid ? { pid: row.process.child.pid } : {}) });
          const result = await runLoad({ url: row.url, requests: load, connections, durationSeconds, verify: workload.verify, ...(row.process?.child.pid ? { pid: row.process.child.pid } : {}) });
          record(workload, row, result);
          log(`round ${round + 1}/${rounds}  ${workload.name.padEnd(14)} ${row.label.padEnd(42)} ${Math.round(result.requestsPerSecond).toString().padStart(6)} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms  failures ${result.failures}  rss ${result.peakRssMb} MB`);
          if (result.firstFailure) log(`    first failed response: ${result.firstFailure}`);
        }
      }
    }
    const queries = workloads.find((w) => w.name === 'cross-agency')!.requests.map((r) => r.query);
    const micro = [...runMicroBenchmarks(queries, quick), ...(await runAuditMicroBenchmarks(dataDir, quick))];
    return {
      date: new Date().toISOString(),
      command: `npm run bench${quick ? ' -- --quick' : ''}`,
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
      settings: { rounds, durationSeconds, warmupSeconds, connections, dataset: 'bench' },
      workloads: workloads.map(({ name, description }) => ({ name, description })),
      results: [...results.values()],
      micro,
    };
  } finally {
    for (const process of processes.reverse()) await process.stop();
    redis?.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
    for (const row of ['d', 'e', 'f', 'g']) rmSync(ownTrail(row).AUDIT_DIR, { recursive: true, force: true });
  }
}

function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}
