import { closeSync, fsyncSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * One writer per audit chain folder. Two gateway processes appending to one folder would each
 * chain from the tail they read at start, and the trail would no longer verify (records numbered
 * twice, hashes that do not follow). The writer claims the folder with a file created exclusively
 * (`writer.pid`: its pid, its process start time and its host) and removes it on close.
 *
 * A claim left by a process that died (`kill -9`, a crash, a container restarted) is taken over at
 * once, without waiting for a lock to go stale: on the same host, a claim whose pid no longer runs,
 * or now runs a process started at another time (pids are reused, notably in containers), is dead.
 * A claim from another host cannot be checked from here and is refused; the message says which
 * file to remove once that host is known to be down.
 */
export const CHAIN_WRITER_FILE = 'writer.pid';

export interface ChainWriterClaim {
  release(): void;
}

interface Claimant {
  pid: number;
  started: string;
  host: string;
}

/** A process's start time (Linux: field 22 of /proc/<pid>/stat), '' where it cannot be read. */
export function processStartTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the claimant is alive, as far as this host can tell (`undefined`: another host's). */
function claimantAlive(claimant: Claimant): boolean | undefined {
  if (claimant.host !== hostname()) return undefined;
  if (claimant.pid === process.pid) return claimant.started === processStartTime(process.pid);
  if (!running(claimant.pid)) return false;
  const started = processStartTime(claimant.pid);
  return !started || !claimant.started || started === claimant.started;
}

function readClaimant(path: string): Claimant | undefined {
  try {
    const claimant = JSON.parse(readFileSync(path, 'utf8')) as Partial<Claimant>;
    if (typeof claimant.pid === 'number' && typeof claimant.host === 'string')
      return { pid: claimant.pid, host: claimant.host, started: String(claimant.started ?? '') };
  } catch {
    // Unreadable or half-written (a crash while claiming): no live writer stands behind it.
  }
  return undefined;
}

/** Claims `dir` for this process, or throws naming the process that holds it. */
export function claimChainWriter(dir: string): ChainWriterClaim {
  const path = join(dir, CHAIN_WRITER_FILE);
  const me: Claimant = { pid: process.pid, started: processStartTime(process.pid), host: hostname() };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readClaimant(path);
      const alive = holder ? claimantAlive(holder) : false;
      if (alive === false) {
        unlinkSync(path);
        continue;
      }
      throw new Error(
        alive
          ? `another gateway (pid ${holder!.pid}) writes the audit chain in ${dir}; give each gateway its own AUDIT_DIR (workers write worker-N folders of their own)`
          : `the audit chain in ${dir} is claimed by a gateway on host ${holder!.host} (pid ${holder!.pid}); give each gateway its own AUDIT_DIR, or remove ${path} once that gateway is known to be stopped`,
        { cause: error },
      );
    }
    try {
      writeSync(fd, JSON.stringify(me));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        // Only our own claim: never remove one another process took over.
        const holder = readClaimant(path);
        if (holder && holder.pid === me.pid && holder.host === me.host && holder.started === me.started)
          unlinkSync(path);
      },
    };
  }
  throw new Error(`could not claim the audit chain in ${dir}: ${path} keeps reappearing`);
}
