import {
  CHAIN_WRITER_FILE,
  AUDIT_FILE_PATTERN,
  auditChainDirs,
  CHECKPOINT_FILE,
  readTrailIdentity,
  TRAIL_FILE,
  trailTail,
} from '@cdo-hub/gateway/audit';
import { existsSync, readdirSync } from 'node:fs';
import { SUBJECT_INDEX_FILE } from '@cdo-hub/gateway/accessLog';
import { join, relative } from 'node:path';
import { copyWhole, copyWholeLines, type CopiedFile } from './backupFiles';
import type { ChainTail, ManifestFile } from './backupManifest';

/**
 * The order a live trail is copied in, so the copy verifies against the copy of its witness:
 *
 * 1. `identity` — each chain's `trail.json` and `checkpoints.jsonl`. The gateway writes a trail's
 *    opening and every checkpoint to the witness *before* the folder, so each one copied here is
 *    in the witness copied next.
 * 2. the witness (copied by the caller between the two phases).
 * 3. `records` — the audit files, listed only now. The witness signs a checkpoint only over records
 *    already durable, so every record the copied witness vouches for is in the files read after it.
 * 4. `rest` — operation texts and cursors. A record's operation text is written before the record,
 *    so every text the copied records name is there.
 *
 * Any other order can leave a copy that fails verification although nothing was lost: checkpoints
 * the copied witness never saw, or a witness vouching for records the copy does not hold.
 */
export type CopyPhase = 'identity' | 'records' | 'rest';

/** Which phase copies a file of a chain, and how; undefined: not copied (temporary files, the writer's claim). */
export function phaseOf(name: string): { phase: CopyPhase; lines: boolean } | undefined {
  if (name.endsWith('.tmp') || name === CHAIN_WRITER_FILE) return undefined;
  // The subject index is derived from the records: rebuilt from the restored trail, never copied live.
  if (name.startsWith(SUBJECT_INDEX_FILE)) return undefined;
  if (name === TRAIL_FILE) return { phase: 'identity', lines: false };
  if (name === CHECKPOINT_FILE) return { phase: 'identity', lines: true };
  if (AUDIT_FILE_PATTERN.test(name)) return { phase: 'records', lines: true };
  // operations.jsonl and superseded checkpoints grow by lines; cursors and superseded ids are replaced whole.
  return { phase: 'rest', lines: name.endsWith('.jsonl') };
}

/** The chains of an audit folder, fixed when the backup starts. */
export function auditChainsOf(auditDir: string): string[] {
  return existsSync(auditDir) ? auditChainDirs(auditDir).filter((dir) => existsSync(dir)) : [];
}

/** Copies one phase of every chain of `auditDir` into `target` (the backup's audit folder). */
export function copyAuditPhase(
  auditDir: string,
  chains: readonly string[],
  phase: CopyPhase,
  target: string,
  backupRoot: string,
): ManifestFile[] {
  const copied: ManifestFile[] = [];
  for (const chain of chains) {
    for (const entry of readdirSync(chain, { withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const how = phaseOf(entry.name);
      if (how?.phase !== phase) continue;
      const to = join(target, relative(auditDir, chain), entry.name);
      const file: CopiedFile = (how.lines ? copyWholeLines : copyWhole)(join(chain, entry.name), to);
      copied.push({ path: relative(backupRoot, to).split('\\').join('/'), ...file });
    }
  }
  return copied;
}

/** Where each chain of a copied audit folder ends: the manifest's record of what a restore brings back. */
export function chainTails(copiedAuditDir: string): ChainTail[] {
  return auditChainsOf(copiedAuditDir).map((dir) => {
    const identity = readTrailIdentity(dir);
    const { seq, hash } = trailTail(dir);
    return {
      chain: relative(copiedAuditDir, dir) || '.',
      ...(identity && !('invalid' in identity) ? { trailId: identity.trailId } : {}),
      lastSeq: seq,
      lastHash: hash,
    };
  });
}
