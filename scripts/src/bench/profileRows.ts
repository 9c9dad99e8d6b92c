import { AgencyDatabase } from '@cdo-hub/subgraph-kit/database';
import { agencyDatabaseFile, repoRoot } from '@cdo-hub/subgraph-kit/paths';
import { findAgency } from '@cdo-hub/subgraph-kit/agencies';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, Agent, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENCY_PACKAGES } from '../agencies';
import { agencySubgraphSources, composeSupergraph } from '../compose/composeSupergraph';
import { assertPortFree, ManagedProcess } from '../start/processes';
import { issueDevelopmentToken } from '../token/issueToken';
import {
  logGatewayFigures,
  measureCapacity,
  processCpuMs,
  redisCommandsProcessed,
  takeHeapSnapshot,
} from './rowDiagnostics';
import { benchEnvironment, startThrowawayRedis } from './benchEnvironment';
import { runLoad, type LoadRequest } from './load';
import { ensureHiveGateway } from './peerGateways';
import { benchWorkloads, type Workload } from './workloads';

/**
 * Where a benchmark row's time goes, one row and one workload at a time:
 *
 *   node scripts/dist/bench/profileRows.js --row c --workload cross-agency --count
 *   node scripts/dist/bench/profileRows.js --row c --workload cross-agency --profile gateway,education
 *   node scripts/dist/bench/profileRows.js --row g --workload cross-agency,mixed-views,single-agency
 *
 * `--count` puts a counting proxy in front of each agency (the supergraph points at it), sends
 * every request of the workload `--repeat` times one after the other, and prints the subgraph
 * calls per request, by agency and in total, with the time spent inside the subgraph calls. It
 * then loads the row as the bench does (10 connections) and prints the same under load.
 * `--profile` runs the named processes (`gateway`, an agency id) with `--cpu-prof` under the
 * bench load and writes their profiles to `--out` (default: a temporary folder, printed).
 * Several workloads (comma-separated) run in turn on the same processes, as the bench's rounds do.
 * Every run prints the gateway's CPU time per request, which unlike the rate holds still when other
 * processes compete for the cores. The rows are started as `npm run bench` starts them (same
 * environment, same arguments).
 * Summarise a profile with `node scripts/dist/bench/cpuProfileTop.js <file>`.
 */

const BASE_PORT = 14_200;
const ROW_PORT = BASE_PORT + 10;
const REDIS_PORT = BASE_PORT + 25;

interface Options {
  row: string;
  /** One workload, or several (comma-separated) run in turn on the same gateway process. */
  workloads: string[];
  count: boolean;
  profile: string[];
  repeat: number;
  seconds: number;
  out: string;
  /** Row (b)'s config file (default: the bench's, scripts/bench/hive-gateway.config.mjs). */
  hiveConfig: string;
  /** Write a heap snapshot of the gateway (after a full GC: its live objects) once the load ends. */
  heapSnapshot: boolean;
  /** Extra Node/V8 flags for the gateway, to try one before shipping it (the bench itself never takes any). */
  gatewayFlags: string[];
  /**
   * Measure row (d) for `hub capacity` and write the figures here: the gateway as production runs
   * it with `REDIS_URL` (cache and rate limits on a Redis of the run's own), its audit trail on disk.
   */
  capacity: string | undefined;
}

function parseOptions(argv: readonly string[]): Options {
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    row: value('row') ?? (argv.includes('--capacity') ? 'd' : 'c'),
    workloads: (value('workload') ?? 'cross-agency').split(',').filter(Boolean),
    count: argv.includes('--count'),
    profile: (value('profile') ?? '').split(',').filter(Boolean),
    repeat: Number(value('repeat') ?? 5),
    seconds: Number(value('seconds') ?? 10),
    out: value('out') ?? mkdtempSync(join(tmpdir(), 'cdo-hub-profile-')),
    hiveConfig: value('hive-config') ?? join(repoRoot(), 'scripts', 'bench', 'hive-gateway.config.mjs'),
    heapSnapshot: argv.includes('--heap-snapshot'),
    gatewayFlags: (value('gateway-flags') ?? '').split(' ').filter(Boolean),
    capacity: value('capacity'),
  };
}

/** One agency's counting proxy: forwards every call, counting calls and the time until each answer ended. */
interface CallCounter {
  calls: number;
  busyMs: number;
  operations: Map<string, number>;
  server: Server;
}

function countingProxy(port: number, target: number): Promise<CallCounter> {
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const counter: CallCounter = { calls: 0, busyMs: 0, operations: new Map(), server: undefined as never };
  counter.server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const started = performance.now();
      counter.calls++;
      const query = (() => {
        try {
          return String((JSON.parse(body.toString('utf8')) as { query?: string }).query ?? '');
        } catch {
          return '';
        }
      })();
      const shape = query.replace(/\s+/g, ' ').slice(0, 90);
      counter.operations.set(shape, (counter.operations.get(shape) ?? 0) + 1);
      const forwarded = httpRequest(
        {
          host: '127.0.0.1',
          port: target,
          path: incoming.url,
          method: incoming.method,
          headers: incoming.headers,
          agent,
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
          answer.on('end', () => (counter.busyMs += performance.now() - started));
        },
      );
      forwarded.on('error', () => outgoing.destroy());
      forwarded.end(body);
    });
  });
  return new Promise((resolve) => counter.server.listen(port, '127.0.0.1', () => resolve(counter)));
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const log = (line: string) => console.log(line);
  const dataDir = join(repoRoot(), '.data', 'bench');
  const work = mkdtempSync(join(tmpdir(), 'cdo-hub-profile-run-'));
  const env = benchEnvironment(dataDir);
  /**
   * The process's script, behind `--cpu-prof` when it is profiled (Node refuses the flag in
   * NODE_OPTIONS, so it goes before the script); the profile is written when the process exits.
   */
  const run = (name: string, script: string): [string, string[]] => {
    const flags = [
      ...(options.profile.includes(name)
        ? ['--cpu-prof', `--cpu-prof-dir=${join(options.out, name)}`, '--cpu-prof-interval=250']
        : []),
      // SIGUSR2 then writes a snapshot into the process's working directory, the profile folder.
      ...(options.heapSnapshot && name === 'gateway'
        ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${options.out}`]
        : []),
      ...(name === 'gateway' ? options.gatewayFlags : []),
    ];
    return flags.length ? [flags[0]!, [...flags.slice(1), script]] : [script, []];
  };
  const ports = AGENCY_PACKAGES.map((_, i) => BASE_PORT + 1 + i);
  const proxyPorts = AGENCY_PACKAGES.map((_, i) => BASE_PORT + 31 + i);
  AGENCY_PACKAGES.forEach((agency, i) => (env[`${agency.envPrefix}_PORT`] = String(ports[i])));
  for (const port of [...ports, ...proxyPorts, ROW_PORT]) await assertPortFree(port, 'profile run');

  const counters = options.count
    ? await Promise.all(proxyPorts.map((port, i) => countingProxy(port, ports[i]!)))
    : undefined;
  const composed = composeSupergraph(
    agencySubgraphSources().map((source) => {
      const i = AGENCY_PACKAGES.findIndex((agency) => agency.id === source.name);
      return { ...source, url: `http://127.0.0.1:${counters ? proxyPorts[i] : ports[i]}/graphql` };
    }),
  );
  if (!composed.ok) throw new Error(composed.errors.join('\n'));
  const supergraphFile = join(work, 'supergraph.graphql');
  writeFileSync(supergraphFile, composed.supergraphSdl);

  const quiet = (line: string) => (/"level":(40|50|60)/.test(line) && !/OPEN MODE/.test(line) ? log(line) : undefined);
  const processes = AGENCY_PACKAGES.map((agency) => {
    const [first, rest] = run(agency.id, agency.mainFile);
    return new ManagedProcess(agency.id, first, env, quiet, rest);
  });
  const hub = join(repoRoot(), 'scripts', 'bin', 'hub.js');
  const gateway = (script: string, processEnv: NodeJS.ProcessEnv, args: string[] = [], readyUrl?: string) => {
    const [first, rest] = run('gateway', script);
    return new ManagedProcess('gateway', first, processEnv, quiet, [...rest, ...args], readyUrl);
  };
  const ours = (extra: NodeJS.ProcessEnv, args: string[]) =>
    gateway(hub, { ...env, AUDIT_DIR: join(work, 'audit'), GATEWAY_HOST: '127.0.0.1', ...extra }, [
      'gateway',
      ...args,
      '--supergraph',
      supergraphFile,
      '--port',
      String(ROW_PORT),
    ]);
  let url = `http://127.0.0.1:${ROW_PORT}/graphql`;
  let capacityRedis: ChildProcess | undefined;
  if (options.row === 'a') {
    url = `http://127.0.0.1:${ROW_PORT}/`;
    processes.push(
      gateway(join(__dirname, 'bareGateway.js'), {
        ...env,
        SUPERGRAPH_FILE: supergraphFile,
        GATEWAY_PORT: String(ROW_PORT),
      }),
    );
  } else if (options.row === 'b') {
    const hive = ensureHiveGateway(log);
    if (!hive) throw new Error('row (b) needs Hive Gateway');
    processes.push(
      gateway(
        hive,
        { ...env, NODE_ENV: 'production', FORK: '1', BENCH_SUPERGRAPH_FILE: supergraphFile },
        [
          'supergraph',
          supergraphFile,
          '--config-path',
          options.hiveConfig,
          '--port',
          String(ROW_PORT),
          '--host',
          '127.0.0.1',
        ],
        `http://127.0.0.1:${ROW_PORT}/healthcheck`,
      ),
    );
  } else if (options.row === 'c') processes.push(ours({}, ['--open']));
  else if (options.row === 'd' && options.capacity) {
    capacityRedis = startThrowawayRedis(REDIS_PORT);
    // Rate limits counted (on Redis) but never reached: the commands they cost are part of the plan.
    processes.push(ours({ REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}`, RATE_LIMIT_PER_MINUTE: '100000000' }, []));
  } else if (options.row === 'd') processes.push(ours({ CACHE: 'off' }, []));
  // The bench's row (g): the cache below the query planner only (entities, root fields), in memory.
  else if (options.row === 'g') processes.push(ours({ CACHE_LAYERS: 'entity,root' }, []));
  else throw new Error(`--row is one of a, b, c, d, g (got ${options.row})`);

  try {
    await Promise.all(processes.map((p) => p.listening));
    const databases = {
      education: new AgencyDatabase(agencyDatabaseFile(findAgency('education'), env), { readonly: true }),
      developmentReform: new AgencyDatabase(agencyDatabaseFile(findAgency('development-reform'), env), {
        readonly: true,
      }),
    };
    const workloads = options.workloads.map((name) => {
      const workload = benchWorkloads(databases).find((w) => w.name === name);
      if (!workload) throw new Error(`no workload ${name}`);
      return workload;
    });
    databases.education.close();
    databases.developmentReform.close();
    const gatewayPid = processes[processes.length - 1]!.child.pid!;
    const agencyPids = processes.slice(0, AGENCY_PACKAGES.length).map((p) => p.child.pid!);
    // Several workloads run one after the other on the same processes, as the bench's rounds do.
    for (const workload of workloads) {
      const load = await loadRequests(workload, env);
      if (counters) await countCalls(options, workload, load, url, counters, log);
      await runLoad({ url, requests: load, connections: 10, durationSeconds: 3, verify: workload.verify });
      for (const counter of counters ?? []) reset(counter);
      const redisBefore = options.capacity ? redisCommandsProcessed(REDIS_PORT) : 0;
      const cpuBefore = processCpuMs(gatewayPid);
      const agenciesBefore = agencyPids.reduce((sum, pid) => sum + processCpuMs(pid).total, 0);
      const loadBefore = process.cpuUsage();
      const result = await runLoad({
        url,
        requests: load,
        connections: 10,
        durationSeconds: options.seconds,
        verify: workload.verify,
        pid: gatewayPid,
      });
      log(
        `row (${options.row}) ${workload.name} under load (10 connections, ${options.seconds} s): ${Math.round(result.requestsPerSecond)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, failures ${result.failures}, gateway peak RSS ${result.peakRssMb} MB`,
      );
      const cpuAfter = processCpuMs(gatewayPid);
      const agenciesMs = agencyPids.reduce((sum, pid) => sum + processCpuMs(pid).total, 0) - agenciesBefore;
      const loadCpu = process.cpuUsage(loadBefore);
      const perRequest = (ms: number) => ((ms * 1000) / result.total).toFixed(0);
      log(
        `  gateway CPU: ${perRequest(cpuAfter.total - cpuBefore.total)} µs per request (main thread ${perRequest(cpuAfter.main - cpuBefore.main)}, other threads ${perRequest(cpuAfter.total - cpuBefore.total - (cpuAfter.main - cpuBefore.main))}; ${Math.round((cpuAfter.total - cpuBefore.total) / options.seconds / 10)} % of a core)`,
      );
      // On a machine of few cores the rate follows the CPU every process spends on a request.
      log(
        `  agencies CPU: ${perRequest(agenciesMs)} µs per request; load generator ${perRequest((loadCpu.user + loadCpu.system) / 1000)}`,
      );
      if (options.row !== 'a' && options.row !== 'b') await logGatewayFigures(url, env, result.total, log);
      if (options.capacity)
        measureCapacity({
          file: options.capacity,
          workload: workload.name,
          requests: result.total,
          redisCommands: redisCommandsProcessed(REDIS_PORT) - redisBefore,
          auditDir: join(work, 'audit'),
          log,
        });
      if (counters) {
        // Requests still in flight when the load stopped are counted by the proxies, not by autocannon: a small overcount.
        const calls = counters.reduce((sum, c) => sum + c.calls, 0);
        const inCalls = counters.reduce((sum, c) => sum + c.busyMs, 0);
        log(
          `  ${(calls / result.total).toFixed(2)} subgraph calls per request (${counters.map((c, a) => `${AGENCY_PACKAGES[a]!.id} ${(c.calls / result.total).toFixed(2)}`).join(', ')}); ${(inCalls / result.total).toFixed(1)} ms per request summed over its subgraph calls, ${(inCalls / calls).toFixed(1)} ms per call`,
        );
      }
    }
    if (options.heapSnapshot) await takeHeapSnapshot(gatewayPid, options.out, log);
  } finally {
    for (const process of processes.reverse()) await process.stop();
    capacityRedis?.kill('SIGTERM');
    for (const counter of counters ?? []) counter.server.close();
    rmSync(work, { recursive: true, force: true });
    if (options.profile.length) log(`profiles in ${options.out}`);
  }
}

async function loadRequests(workload: Workload, env: NodeJS.ProcessEnv): Promise<LoadRequest[]> {
  const tokens = new Map<string, string>();
  for (const consumer of new Set(workload.requests.flatMap((r) => (r.consumer ? [r.consumer] : []))))
    tokens.set(consumer, await issueDevelopmentToken({ consumer, ttl: '2h' }, env));
  return workload.requests.map((request): LoadRequest => ({
    body: JSON.stringify({ query: request.query }),
    headers: request.consumer
      ? { authorization: `Bearer ${tokens.get(request.consumer)}`, 'x-data-purpose': request.purpose ?? '' }
      : ({} as Record<string, string>),
  }));
}

/** Each request of the workload `repeat` times, one at a time: calls per request and where its time went. */
async function countCalls(
  options: Options,
  workload: Workload,
  load: LoadRequest[],
  url: string,
  counters: CallCounter[],
  log: (line: string) => void,
): Promise<void> {
  log(`row (${options.row}), ${workload.name}: subgraph calls per request, one request at a time`);
  for (const [i, request] of load.entries()) {
    // A first, unmeasured call: plans and documents are built once per operation.
    await send(url, request, workload);
    for (const counter of counters) reset(counter);
    const started = performance.now();
    for (let n = 0; n < options.repeat; n++) await send(url, request, workload);
    const elapsed = (performance.now() - started) / options.repeat;
    const per = counters.map((c, a) => `${AGENCY_PACKAGES[a]!.id} ${c.calls / options.repeat}`).join(', ');
    const calls = counters.reduce((sum, c) => sum + c.calls, 0) / options.repeat;
    const inCalls = counters.reduce((sum, c) => sum + c.busyMs, 0) / options.repeat;
    const name = /query (\w+)/.exec(workload.requests[i]!.query)?.[1] ?? `#${i + 1}`;
    log(
      `  ${name}: ${calls} calls (${per}); ${elapsed.toFixed(1)} ms per request, ${inCalls.toFixed(1)} ms of it summed over subgraph calls`,
    );
    for (const [a, counter] of counters.entries())
      for (const [shape, n] of counter.operations)
        log(`      ${AGENCY_PACKAGES[a]!.id} ×${n / options.repeat}: ${shape}`);
  }
  for (const counter of counters) reset(counter);
}

function reset(counter: CallCounter): void {
  counter.calls = 0;
  counter.busyMs = 0;
  counter.operations.clear();
}

async function send(url: string, request: LoadRequest, workload: Workload): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...request.headers },
    body: request.body,
  });
  const body = await response.text();
  if (!workload.verify(body)) throw new Error(`bad answer: ${body.slice(0, 300)}`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
