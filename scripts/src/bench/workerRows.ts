import { repoRoot } from '@cdo-hub/subgraph-kit/paths';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess } from '../start/processes';
import { HIVE_GATEWAY_VERSION } from './peerGateways';

/** A gateway row of the benchmark (runBenchmark.ts's shape). */
export interface WorkerRow {
  id: string;
  label: string;
  url: string;
  process: ManagedProcess;
  /** CPUs the row's processes are pinned to once up (`taskset`), for the scaling rows. */
  cpus?: string;
}

/** Ports of the worker rows, beside runBenchmark.ts's rows (14_110–14_116). */
const WORKER_ROW_PORTS = { h: 14_117, bw: 14_118, h1: 14_119, h2: 14_121 } as const;

/**
 * The rows of several gateway processes, beside the one-process rows: (h) our open gateway with
 * `GATEWAY_WORKERS` = the cores available, exactly as `hub start` runs it (gateway/dist/main.js,
 * its cluster primary), and (bw) Hive Gateway with as many forks (`FORK`). With
 * `BENCH_WORKER_SCALING=1`, also (h1)/(h2): ours with 1 worker pinned to one core and 2 workers
 * pinned to two (`taskset`), the 1 → 2 core scaling. Every label names its workers.
 */
export function workerRows(options: {
  supergraphFile: string;
  /** The environment of every gateway row, and what our gateways need beyond it. */
  env: NodeJS.ProcessEnv;
  ours: NodeJS.ProcessEnv;
  hive: string | undefined;
  hiveConfig: string;
  output: (line: string) => void;
}): WorkerRow[] {
  const workers = availableParallelism();
  const gateway = join(repoRoot(), 'gateway', 'dist', 'main.js');
  const ours = (name: string, port: number, count: number) =>
    new ManagedProcess(
      name,
      gateway,
      {
        ...options.env,
        ...options.ours,
        GATEWAY_HOST: '127.0.0.1',
        GATEWAY_PORT: String(port),
        GATEWAY_WORKERS: String(count),
        SUPERGRAPH_FILE: options.supergraphFile,
      },
      options.output,
      ['--open'],
    );
  const rows: WorkerRow[] = [
    {
      id: 'h',
      label: `(h) cdo-hub --open, ${workers} workers`,
      url: `http://127.0.0.1:${WORKER_ROW_PORTS.h}/graphql`,
      process: ours('open-workers', WORKER_ROW_PORTS.h, workers),
    },
  ];
  if (options.hive)
    rows.push({
      id: 'bw',
      label: `(bw) Hive Gateway ${HIVE_GATEWAY_VERSION}, ${workers} workers`,
      url: `http://127.0.0.1:${WORKER_ROW_PORTS.bw}/graphql`,
      process: new ManagedProcess(
        'hive-workers',
        options.hive,
        {
          ...options.env,
          NODE_ENV: 'production',
          FORK: String(workers),
          BENCH_SUPERGRAPH_FILE: options.supergraphFile,
        },
        options.output,
        [
          'supergraph',
          options.supergraphFile,
          '--config-path',
          options.hiveConfig,
          '--port',
          String(WORKER_ROW_PORTS.bw),
          '--host',
          '127.0.0.1',
        ],
        `http://127.0.0.1:${WORKER_ROW_PORTS.bw}/healthcheck`,
      ),
    });
  if (options.env.BENCH_WORKER_SCALING === '1')
    rows.push(
      {
        id: 'h1',
        label: '(h1) cdo-hub --open, 1 worker on 1 core (taskset -c 0)',
        url: `http://127.0.0.1:${WORKER_ROW_PORTS.h1}/graphql`,
        process: ours('open-1-worker', WORKER_ROW_PORTS.h1, 1),
        cpus: '0',
      },
      {
        id: 'h2',
        label: '(h2) cdo-hub --open, 2 workers on 2 cores (taskset -c 0,1)',
        url: `http://127.0.0.1:${WORKER_ROW_PORTS.h2}/graphql`,
        process: ours('open-2-workers', WORKER_ROW_PORTS.h2, 2),
        cpus: '0,1',
      },
    );
  return rows;
}

/** Pins a row's process and its children (a primary's workers) to `cpus`, once they are up. */
export function pinRow(row: { process?: ManagedProcess; cpus?: string }): void {
  const pid = row.process?.child.pid;
  if (!row.cpus || pid === undefined) return;
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  for (const target of [String(pid), ...children]) {
    const pinned = spawnSync('taskset', ['-a', '-c', '-p', row.cpus, target], { encoding: 'utf8' });
    if (pinned.status !== 0) throw new Error(`taskset could not pin ${target}: ${pinned.stderr.trim()}`);
  }
}

/** The worker rows' ports, to check they are free before the run. */
export const WORKER_PORTS: readonly number[] = Object.values(WORKER_ROW_PORTS);
