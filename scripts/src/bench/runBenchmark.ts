import { signedSubgraphHeaders } from '@cdo-hub/gateway/signing';
import { AgencyDatabase } from '@cdo-hub/subgraph-kit/database';
import { agencyDatabaseFile, agencyUrl, repoRoot } from '@cdo-hub/subgraph-kit/paths';
import { findAgency } from '@cdo-hub/subgraph-kit/agencies';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { AGENCY_PACKAGES } from '../agencies';
import { agencySubgraphSources, composeSupergraph } from '../compose/composeSupergraph';
import { issueDevelopmentToken } from '../token/issueToken';
import { planStartSeeding, seedAgencies } from '../seed/seedAgencies';
import { assertPortFree, ManagedProcess } from '../start/processes';
import { benchEnvironment, startThrowawayRedis } from './benchEnvironment';
import { runLoad, type LoadRequest, type LoadResult } from './load';
import { runAuditMicroBenchmarks, runMicroBenchmarks, type MicroResult } from './micro';
import { DEMO_SUBGRAPH_NAMES, DEMO_SUBGRAPHS } from './demo/demoSubgraphs';
import { ensureHiveGateway, HIVE_GATEWAY_VERSION } from './peerGateways';
import { pinRow, WORKER_PORTS, workerRows } from './workerRows';
import { benchWorkloads, demoWorkload, directSubgraphWorkload, type Workload } from './workloads';

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
/** Each row's gateway port; the phases run one after the other on the same ports. */
const ROW_PORTS = {
  a: BASE_PORT + 10,
  b: BASE_PORT + 16,
  c: BASE_PORT + 11,
  d: BASE_PORT + 12,
  e: BASE_PORT + 13,
  f: BASE_PORT + 14,
  g: BASE_PORT + 15,
} as const;
const DEMO_POLICY_DIR = join(repoRoot(), 'scripts', 'bench', 'demo', 'policies');
const DEMO_CONSUMERS_FILE = join(repoRoot(), 'scripts', 'bench', 'demo', 'consumers.yaml');
/** Row (b)'s config: a plugin that signs each subgraph fetch, as row (a) and our gateways do. */
const HIVE_GATEWAY_CONFIG = join(repoRoot(), 'scripts', 'bench', 'hive-gateway.config.mjs');

/**
 * `npm run bench`: for each phase, its subgraphs, then each gateway in turn on the same
 * supergraph and workload, in alternating order round after round so drift cancels out.
 *   (a) bare @apollo/gateway + @apollo/server — the baseline
 *   (b) Hive Gateway (installed into .data/bench-tools on first use), the fastest Node peer,
 *       signing its subgraph fetches through `scripts/bench/hive-gateway.config.mjs`
 *   (c) cdo-hub in --open mode (no policy)
 *   (d) cdo-hub enforcing the policies, no cache
 *   (e) cdo-hub enforcing the policies, in-memory cache (warm after the warm-up)
 *   (f) the same with the cache on Redis (when `redis-server` is installed)
 *   (g) the response cache off, the fetch cache (entities, root fields) warm: what the layer
 *       below the planner saves when whole responses cannot be reused
 * Phase one runs the agencies' subgraphs on the bench dataset (plus the single-agency query sent
 * straight to the subgraph: the ceiling for a gateway hop); phase two the four-subgraph demo of
 * the public gateway benchmarks, with a policy file classing everything UNCONDITIONAL.
 */
export async function runBenchmark(options: BenchOptions): Promise<BenchReport> {
  const { log, quick } = options;
  const rounds = quick ? 2 : 5;
  const durationSeconds = quick ? 4 : 10;
  const warmupSeconds = quick ? 2 : 3;
  const connections = 10;
  const dataDir = join(repoRoot(), '.data', 'bench');
  const env = benchEnvironment(dataDir);

  const seeding = planStartSeeding('bench', env);
  for (const { agency } of seeding.reseed) seedAgencies({ size: 'bench', agencies: [agency.id], env, log });
  const hive = ensureHiveGateway(log);

  const ports = AGENCY_PACKAGES.map((_, i) => BASE_PORT + 1 + i);
  AGENCY_PACKAGES.forEach((agency, i) => (env[`${agency.envPrefix}_PORT`] = String(ports[i])));
  const demoPorts = DEMO_SUBGRAPH_NAMES.map((_, i) => BASE_PORT + 40 + i);
  for (const port of [...ports, ...demoPorts, ...Object.values(ROW_PORTS), ...WORKER_PORTS, BASE_PORT + 20])
    await assertPortFree(port, 'benchmark');

  const work = mkdtempSync(join(tmpdir(), 'cdo-hub-bench-'));
  // Each enforcing gateway keeps its own audit trail (one writer per chain), on the data disk, with
  // a witness of its own: both are removed after the run, and a witness that outlived its trail
  // would refuse to let the next run open a new one there (ADR 0010). Each phase starts chains of
  // its own: a gateway of phase one still letting go of its chain cannot stop phase two's starting.
  const ownTrail = (row: string) => ({
    AUDIT_DIR: join(dataDir, `audit-bench-${row}`),
    AUDIT_WITNESS_DIR: join(dataDir, `audit-bench-${row}-witness`),
  });
  // Row (f)'s Redis: a throwaway server, no persistence, evicting like a cache should.
  const redis = commandExists('redis-server') ? startThrowawayRedis(BASE_PORT + 20) : undefined;
  if (!redis) log('redis-server is not installed: row (f) is skipped');
  // Warnings and worse, and any line that is not a JSON log line (a process that fails to start says why in plain text).
  const quiet = (line: string) =>
    (/"level":(40|50|60)/.test(line) || !/^\[[\w-]+\] \{/.test(line)) && !/OPEN MODE/.test(line)
      ? log(line)
      : undefined;
  const hub = join(repoRoot(), 'scripts', 'bin', 'hub.js');
  const results = new Map<string, { workload: string; row: string; label: string; rounds: LoadResult[] }>();
  const allWorkloads: Workload[] = [];
  const processes: ManagedProcess[] = [];

  /** Every gateway row on one supergraph; `ours` is what our gateways need beyond the common environment. */
  const startRows = (supergraphFile: string, ours: NodeJS.ProcessEnv, phase = ''): Row[] => {
    const gateway = (name: string, row: string, port: number, extra: NodeJS.ProcessEnv, args: string[] = []) =>
      new ManagedProcess(
        name,
        hub,
        { ...env, ...ours, ...ownTrail(phase + row), GATEWAY_HOST: '127.0.0.1', ...extra },
        quiet,
        ['gateway', ...args, '--supergraph', supergraphFile, '--port', String(port)],
      );
    const rows: Row[] = [
      {
        id: 'a',
        label: '(a) @apollo/gateway, bare',
        url: `http://127.0.0.1:${ROW_PORTS.a}/`,
        process: new ManagedProcess(
          'bare',
          join(__dirname, 'bareGateway.js'),
          { ...env, SUPERGRAPH_FILE: supergraphFile, GATEWAY_PORT: String(ROW_PORTS.a) },
          quiet,
        ),
      },
    ];
    if (hive) {
      const url = `http://127.0.0.1:${ROW_PORTS.b}/graphql`;
      // One process, as every other row: no worker forks.
      rows.push({
        id: 'b',
        label: `(b) Hive Gateway ${HIVE_GATEWAY_VERSION}`,
        url,
        process: new ManagedProcess(
          'hive',
          hive,
          { ...env, NODE_ENV: 'production', FORK: '1', BENCH_SUPERGRAPH_FILE: supergraphFile },
          quiet,
          [
            'supergraph',
            supergraphFile,
            '--config-path',
            HIVE_GATEWAY_CONFIG,
            '--port',
            String(ROW_PORTS.b),
            '--host',
            '127.0.0.1',
          ],
          `http://127.0.0.1:${ROW_PORTS.b}/healthcheck`,
        ),
      });
    }
    rows.push(
      {
        id: 'c',
        label: '(c) cdo-hub --open',
        url: `http://127.0.0.1:${ROW_PORTS.c}/graphql`,
        process: gateway('open', 'c', ROW_PORTS.c, {}, ['--open']),
      },
      {
        id: 'd',
        label: '(d) cdo-hub, policies enforced, no cache',
        url: `http://127.0.0.1:${ROW_PORTS.d}/graphql`,
        process: gateway('enforced', 'd', ROW_PORTS.d, { CACHE: 'off' }),
      },
      {
        id: 'e',
        label: '(e) cdo-hub, in-memory cache warm',
        url: `http://127.0.0.1:${ROW_PORTS.e}/graphql`,
        process: gateway('memory-cache', 'e', ROW_PORTS.e, {}),
      },
    );
    if (redis)
      rows.push({
        id: 'f',
        label: '(f) cdo-hub, Redis cache warm',
        url: `http://127.0.0.1:${ROW_PORTS.f}/graphql`,
        process: gateway('redis-cache', 'f', ROW_PORTS.f, { REDIS_URL: `redis://127.0.0.1:${BASE_PORT + 20}` }),
      });
    rows.push({
      id: 'g',
      label: '(g) cdo-hub, fetch cache only (entities, root fields) warm',
      url: `http://127.0.0.1:${ROW_PORTS.g}/graphql`,
      process: gateway('fetch-cache', 'g', ROW_PORTS.g, { CACHE_LAYERS: 'entity,root' }),
    });
    // Several processes per gateway (ours and Hive's), in workerRows.ts.
    rows.push(...workerRows({ supergraphFile, env, ours, hive, hiveConfig: HIVE_GATEWAY_CONFIG, output: quiet }));
    return rows;
  };

  /** Rounds over the rows, alternating their order; `direct` joins the workloads it names. */
  const runRounds = async (
    rows: Row[],
    workloads: Workload[],
    toLoad: (workload: Workload) => LoadRequest[],
    direct?: { row: Row; workload: string; load: LoadRequest[] },
  ) => {
    allWorkloads.push(...workloads);
    for (let round = 0; round < rounds; round++) {
      const order = rows.map((_, i) => rows[(i + round) % rows.length]!);
      for (const workload of workloads) {
        const targets = direct?.workload === workload.name ? [...order, direct.row] : order;
        for (const row of targets) {
          const load = row === direct?.row ? direct.load : toLoad(workload);
          const pid = row.process?.child.pid;
          await runLoad({
            url: row.url,
            requests: load,
            connections,
            durationSeconds: warmupSeconds,
            verify: workload.verify,
            ...(pid ? { pid } : {}),
          });
          const result = await runLoad({
            url: row.url,
            requests: load,
            connections,
            durationSeconds,
            verify: workload.verify,
            ...(pid ? { pid } : {}),
          });
          const key = `${workload.name}|${row.id}`;
          const entry = results.get(key) ?? { workload: workload.name, row: row.id, label: row.label, rounds: [] };
          entry.rounds.push(result);
          results.set(key, entry);
          log(
            `round ${round + 1}/${rounds}  ${workload.name.padEnd(14)} ${row.label.padEnd(42)} ${Math.round(result.requestsPerSecond).toString().padStart(6)} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms  failures ${result.failures}  rss ${result.peakRssMb} MB`,
          );
          if (result.firstFailure) log(`    first failed response: ${result.firstFailure}`);
        }
      }
    }
  };
  const stopAll = async () => {
    for (const process of processes.splice(0).reverse()) await process.stop();
  };

  try {
    // Phase one: the three agencies on the bench dataset.
    const composed = composeSupergraph(
      agencySubgraphSources().map((source) => ({ ...source, url: agencyUrl(findAgency(source.name), env) })),
    );
    if (!composed.ok) throw new Error(composed.errors.join('\n'));
    const supergraphFile = join(work, 'supergraph.graphql');
    writeFileSync(supergraphFile, composed.supergraphSdl);
    for (const agency of AGENCY_PACKAGES) processes.push(new ManagedProcess(agency.id, agency.mainFile, env, quiet));
    const agencyProcesses = [...processes];
    const rows = startRows(supergraphFile, {});
    processes.push(...rows.map((row) => row.process!));
    await Promise.all(processes.map((p) => p.listening));
    rows.forEach(pinRow);
    log(`subgraphs and gateways up; dataset bench in ${dataDir}`);

    const databases = {
      education: new AgencyDatabase(agencyDatabaseFile(findAgency('education'), env), { readonly: true }),
      developmentReform: new AgencyDatabase(agencyDatabaseFile(findAgency('development-reform'), env), {
        readonly: true,
      }),
    };
    const workloads = benchWorkloads(databases);
    databases.education.close();
    databases.developmentReform.close();
    const tokens = new Map<string, string>();
    for (const consumer of new Set(
      workloads.flatMap((w) => w.requests.flatMap((r) => (r.consumer ? [r.consumer] : []))),
    )) {
      tokens.set(consumer, await issueDevelopmentToken({ consumer, ttl: '2h' }, env));
    }
    const toLoad = (workload: Workload): LoadRequest[] =>
      workload.requests.map((request): LoadRequest => ({
        body: JSON.stringify({ query: request.query }),
        headers: request.consumer
          ? { authorization: `Bearer ${tokens.get(request.consumer)}`, 'x-data-purpose': request.purpose ?? '' }
          : ({} as Record<string, string>),
      }));
    const ceiling: Row = {
      id: 'ceiling',
      label: 'direct subgraph call (ceiling)',
      url: agencyUrl(findAgency('education'), env),
      process: agencyProcesses[0]!,
    };
    // Signed per request, as the gateway signs its fetches: subgraphs refuse unsigned calls.
    const signed = (request: LoadRequest): LoadRequest => ({
      ...request,
      sign: (body) =>
        signedSubgraphHeaders(env.HUB_SUBGRAPH_SIGNING_KEY!, 'education', JSON.parse(body) as { query: string }),
    });
    await runRounds(rows, workloads, toLoad, {
      row: ceiling,
      workload: 'single-agency',
      load: toLoad(directSubgraphWorkload(workloads)).map(signed),
    });
    const queries = workloads.find((w) => w.name === 'cross-agency')!.requests.map((r) => r.query);
    await stopAll();

    // Phase two: the four-subgraph demo, everything UNCONDITIONAL, asked anonymously.
    const demo = composeSupergraph(
      DEMO_SUBGRAPH_NAMES.map((name, i) => ({
        name,
        sdl: DEMO_SUBGRAPHS[name].sdl,
        url: `http://127.0.0.1:${demoPorts[i]}/graphql`,
      })),
    );
    if (!demo.ok) throw new Error(demo.errors.join('\n'));
    const demoFile = join(work, 'demo-supergraph.graphql');
    writeFileSync(demoFile, demo.supergraphSdl);
    processes.push(
      new ManagedProcess(
        'demo-subgraphs',
        join(__dirname, 'demo', 'demoSubgraphs.js'),
        { ...env, DEMO_PORTS: demoPorts.join(',') },
        quiet,
      ),
    );
    const demoRows = startRows(
      demoFile,
      { POLICY_DIR: DEMO_POLICY_DIR, CONSUMERS_FILE: DEMO_CONSUMERS_FILE, GRANT_STORE_DIR: join(work, 'demo-grants') },
      'demo-',
    );
    processes.push(...demoRows.map((row) => row.process!));
    await Promise.all(processes.map((p) => p.listening));
    demoRows.forEach(pinRow);
    log('demo subgraphs and gateways up');
    await runRounds(demoRows, [demoWorkload()], (workload) =>
      workload.requests.map((request) => ({ body: JSON.stringify({ query: request.query }), headers: {} })),
    );
    await stopAll();

    const micro = [...runMicroBenchmarks(queries, quick), ...(await runAuditMicroBenchmarks(dataDir, quick))];
    return {
      date: new Date().toISOString(),
      command: `npm run bench${quick ? ' -- --quick' : ''}`,
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model ?? 'unknown',
        memoryGb: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      settings: { rounds, durationSeconds, warmupSeconds, connections, dataset: 'bench' },
      workloads: allWorkloads.map(({ name, description }) => ({ name, description })),
      results: [...results.values()],
      micro,
    };
  } finally {
    await stopAll();
    redis?.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
    for (const row of ['c', 'd', 'e', 'f', 'g'])
      for (const phase of ['', 'demo-'])
        for (const dir of Object.values(ownTrail(phase + row))) rmSync(dir, { recursive: true, force: true });
  }
}

function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}
