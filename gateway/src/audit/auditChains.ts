import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditRecord } from './auditRecord';
import { readAuditTrail } from './readAuditTrail';
import { auditFiles } from './trailFiles';
import { TRAIL_FILE } from './trailIdentity';

/**
 * A gateway of several worker processes (`GATEWAY_WORKERS`) keeps one hash chain per worker, so
 * no two processes ever append to one chain: worker N writes the folder `worker-N` inside
 * `AUDIT_DIR` (with a Redis Stream, the instance `<AUDIT_INSTANCE>-worker-N`). A restarted worker
 * takes its slot's chain up again. A one-process gateway writes `AUDIT_DIR` itself, as always.
 */
export const WORKER_CHAIN_PATTERN = /^worker-(\d+)$/;

/** The audit settings of worker `slot`: its own folder and its own stream instance. */
export function workerAuditChain(
  settings: { auditDir: string; auditInstance: string },
  slot: number,
): { auditDir: string; auditInstance: string } {
  return {
    auditDir: join(settings.auditDir, `worker-${slot}`),
    auditInstance: `${settings.auditInstance}-worker-${slot}`,
  };
}

/**
 * Every chain in an audit folder: the folder itself when it holds a trail (a one-process
 * gateway's, or one written before the gateway ran workers), then each worker's, by slot. A folder
 * holding none yet is its own (empty) chain, so reports and verify still name it.
 */
export function auditChainDirs(dir: string): string[] {
  const own = auditFiles(dir).length > 0 || existsSync(join(dir, TRAIL_FILE));
  const workers = existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => WORKER_CHAIN_PATTERN.test(name) && statSync(join(dir, name)).isDirectory())
        .sort((a, b) => Number(WORKER_CHAIN_PATTERN.exec(a)![1]) - Number(WORKER_CHAIN_PATTERN.exec(b)![1]))
        .map((name) => join(dir, name))
    : [];
  return own || !workers.length ? [dir, ...workers] : workers;
}

/** Every record of every chain in `dir` (`readAuditTrail` per chain, chain after chain: in order within each). */
export async function* readAuditChains(dir: string, options: { since?: Date } = {}): AsyncGenerator<AuditRecord> {
  for (const chain of auditChainDirs(dir)) yield* readAuditTrail(chain, options);
}
