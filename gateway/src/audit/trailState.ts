import type { SigningKeys } from '@cdo-hub/contracts';
import { relative } from 'node:path';
import { auditChainDirs } from './auditChains';
import type { AuditWitness } from './auditWitness';
import { lastCheckpointIn } from './trailFiles';
import { readTrailIdentity } from './trailIdentity';
import { verifyWitnessedTrail } from './verifyAuditTrail';

/** Where one chain of an audit folder stands, read without verifying it: cheap enough for a page. */
export interface ChainState {
  /** The chain's folder relative to the audit folder: `.` for a one-process gateway's, `worker-N`. */
  chain: string;
  trailId?: string;
  lastCheckpoint?: { seq: number; time: string };
  /** The last checkpoint the witness holds for the trail. */
  witnessed?: { seq: number; time: string };
}

/** Each chain's id, last signed checkpoint and the witness's last entry for it. */
export async function auditTrailState(auditDir: string, witness: AuditWitness): Promise<ChainState[]> {
  const states: ChainState[] = [];
  for (const dir of auditChainDirs(auditDir)) {
    const identity = readTrailIdentity(dir);
    const trailId = identity && !('invalid' in identity) ? identity.trailId : undefined;
    const checkpoint = lastCheckpointIn(dir);
    const witnessed = trailId ? await witness.last(trailId) : undefined;
    states.push({
      chain: relative(auditDir, dir) || '.',
      ...(trailId ? { trailId } : {}),
      ...(checkpoint ? { lastCheckpoint: { seq: checkpoint.seq, time: checkpoint.time } } : {}),
      ...(witnessed ? { witnessed: { seq: witnessed.seq, time: witnessed.time } } : {}),
    });
  }
  return states;
}

/** One chain verified: what `hub audit verify` prints for it. */
export interface ChainVerification {
  /** The chain's folder (absolute). */
  dir: string;
  ok: boolean;
  records: number;
  lastSeq: number;
  checkpoints: number;
  /** The checkpoints verified under a previous signing key (written before a rotation), if any. */
  previousKeyCheckpoints?: { count: number; fromSeq: number; toSeq: number };
  /** `file:line: message`, as verify prints them. */
  problems: string[];
  warnings: string[];
  notes: string[];
  trailId?: string;
  witness: string;
  witnessedSeq?: number;
}

/**
 * `hub audit verify` over every chain of an audit folder (one, or one per worker): each chain's
 * records and checkpoints, then each against the witness. The console's "verify now" runs the same.
 */
export async function verifyAuditChains(
  auditDir: string,
  signingKey: SigningKeys,
  witness: AuditWitness,
): Promise<ChainVerification[]> {
  const verified: ChainVerification[] = [];
  for (const dir of auditChainDirs(auditDir)) {
    const result = await verifyWitnessedTrail(dir, signingKey, witness);
    verified.push({
      dir,
      ok: result.ok,
      records: result.records,
      lastSeq: result.lastSeq,
      checkpoints: result.checkpoints,
      ...(result.previousKeyCheckpoints ? { previousKeyCheckpoints: result.previousKeyCheckpoints } : {}),
      problems: result.problems.map((p) => `${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`),
      warnings: result.warnings,
      notes: result.notes,
      ...(result.trailId ? { trailId: result.trailId } : {}),
      witness: result.witness,
      ...(result.witnessedSeq !== undefined ? { witnessedSeq: result.witnessedSeq } : {}),
    });
  }
  return verified;
}
