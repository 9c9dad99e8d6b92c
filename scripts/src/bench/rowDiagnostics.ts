import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueDevelopmentToken } from '../token/issueToken';

// What profileRows.js reads from a row's gateway besides its rate: a heap snapshot, the audit's
// figures from /metrics, and the per-answer figures `hub capacity` plans with.

/** Signals the gateway to write its heap snapshot and waits until the file is complete. */
export async function takeHeapSnapshot(pid: number, dir: string, log: (line: string) => void): Promise<void> {
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 120_000;
  for (;;) {
    const written = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    // The file is complete once its size stops changing.
    if (written) {
      const size = () => statSync(join(dir, written)).size;
      let last = -1;
      while (size() === 0 || size() !== last) {
        last = size();
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
      log(`  heap snapshot: ${join(dir, written)} (${Math.round(last / 2 ** 20)} MB)`);
      return;
    }
    if (Date.now() > deadline) throw new Error('the gateway wrote no heap snapshot within 120 s');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * CPU time a process has used so far, in ms, from /proc (0 elsewhere): in all, and on its main
 * thread (the event loop) — the rest is libuv's pool (file writes), V8's collector and compiler
 * threads. Unlike a rate or a wall-clock profile, the CPU time per request does not grow when
 * other processes compete for the cores, so A/B runs on a shared machine can compare it.
 */
export function processCpuMs(pid: number): { total: number; main: number } {
  let total = 0;
  let main = 0;
  try {
    for (const thread of readdirSync(`/proc/${pid}/task`)) {
      const ms = threadCpuMs(`/proc/${pid}/task/${thread}/stat`);
      total += ms;
      if (thread === String(pid)) main = ms;
    }
  } catch {
    // Not Linux, or the process is gone.
  }
  return { total, main };
}

function threadCpuMs(statFile: string): number {
  try {
    const stat = readFileSync(statFile, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond();
  } catch {
    return 0; // a thread that ended between listing and reading
  }
}

let ticksPerSecond: number | undefined;
function clockTicksPerSecond(): number {
  ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return ticksPerSecond;
}

/**
 * What a row of ours says of itself on /metrics after a load: how long its answers waited for
 * their audit records (enforcing rows) and its memory.
 */
export async function logGatewayFigures(
  url: string,
  env: NodeJS.ProcessEnv,
  requests: number,
  log: (line: string) => void,
): Promise<void> {
  const token = await issueDevelopmentToken({ consumer: 'hub-operations', roles: ['hub-operator'], ttl: '5m' }, env);
  const response = await fetch(new URL('/metrics', url), { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) return log(`  /metrics answered ${response.status}: no audit or memory figures`);
  const text = await response.text();
  const figure = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  const waits = figure('cdo_hub_audit_wait_seconds_count');
  const batches = figure('cdo_hub_audit_batch_seconds_count');
  if (waits > 0)
    log(
      `  audit: ${((figure('cdo_hub_audit_wait_seconds_sum') / waits) * 1000).toFixed(2)} ms mean wait per answer, ` +
        `${((figure('cdo_hub_audit_batch_seconds_sum') / batches) * 1000).toFixed(2)} ms per durable write, ` +
        `${(figure('cdo_hub_audit_batch_records_sum') / batches).toFixed(1)} records per write (${waits} answers audited, ${requests} in the measured load)`,
    );
  const mb = (name: string) => Math.round(figure(name) / 2 ** 20);
  log(
    `  memory after the load: heap used ${mb('cdo_hub_nodejs_heap_size_used_bytes')} MB of ${mb('cdo_hub_nodejs_heap_size_total_bytes')} MB, external ${mb('cdo_hub_nodejs_external_memory_bytes')} MB, RSS ${mb('cdo_hub_process_resident_memory_bytes')} MB`,
  );
}

/** Commands the Redis on `port` has processed so far (`INFO stats`). */
export function redisCommandsProcessed(port: number): number {
  const info = spawnSync('redis-cli', ['-p', String(port), 'INFO', 'stats'], { encoding: 'utf8' }).stdout;
  const total = /total_commands_processed:(\d+)/.exec(info)?.[1];
  if (total === undefined) throw new Error(`redis-cli could not read INFO stats on port ${port}`);
  return Number(total);
}

/**
 * Per answer over the measured load: Redis commands (cache, rate limits) and bytes of audit trail
 * (every file of the gateway's audit folder over the records in it). Written to `file` for `hub capacity`.
 */
export function measureCapacity(input: {
  file: string;
  workload: string;
  requests: number;
  redisCommands: number;
  auditDir: string;
  log: (line: string) => void;
}): void {
  const files = readdirSync(input.auditDir).filter((name) => statSync(join(input.auditDir, name)).isFile());
  const bytes = files.reduce((sum, name) => sum + statSync(join(input.auditDir, name)).size, 0);
  const records = files
    .filter((name) => name.startsWith('audit-'))
    .reduce(
      (sum, name) => sum + readFileSync(join(input.auditDir, name), 'utf8').split('\n').filter(Boolean).length,
      0,
    );
  const measurement = {
    measuredAt: new Date().toISOString(),
    workload: input.workload,
    requests: input.requests,
    redisCommandsPerRequest: Math.round((input.redisCommands / input.requests) * 100) / 100,
    auditBytesPerRequest: Math.round(bytes / records),
  };
  writeFileSync(input.file, JSON.stringify(measurement, null, 2) + '\n');
  input.log(
    `  capacity: ${measurement.redisCommandsPerRequest} Redis commands and ${measurement.auditBytesPerRequest} audit bytes per answer (${records} records, ${bytes} bytes) -> ${input.file}`,
  );
}
