import { randomUUID } from 'node:crypto';
import { existsSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AuditWitness, TrailAdoption } from './auditWitness';
import { fsyncDirectory } from './auditWitness';
import { signCheckpoint } from './hashChain';
import { CHECKPOINT_FILE, trailTail } from './jsonlAuditLog';
import { readTrailIdentity, TRAIL_FILE, writeTrailIdentity } from './trailIdentity';

/** Long enough for a ticket number and a sentence; short enough to stay in the witness's first line. */
export const ADOPTION_REASON_MAX = 500;

export interface AdoptedTrail {
  trailId: string;
  /** The record the new trail starts vouching from. */
  atSeq: number;
  supersedes: string[];
  /** Files of the replaced trail moved aside (kept, not read by verify). */
  movedAside: string[];
}

/**
 * `hub audit adopt`: starts a new trail in a folder where the witness knows an earlier one — after
 * its id was removed, its witness lost, or records its witness vouches for lost (a cut tail, a
 * trail restored from an older backup) — which a gateway refuses to do by itself. The decision
 * goes to the witness first, as the new trail's opening entry naming who, why and the trails it
 * replaces, so verify can report it on every run; then the replaced trail's `trail.json` and
 * `checkpoints.jsonl` are moved aside and the new id is written. Records are kept as they are: the
 * new trail vouches from the tail it finds, and the chain before it is still checked.
 * Run with the gateway stopped.
 */
export async function adoptAuditTrail(
  dir: string,
  witness: AuditWitness,
  signingKey: string,
  decision: { by: string; reason: string },
  now = new Date(),
): Promise<AdoptedTrail> {
  const reason = decision.reason.trim();
  const by = decision.by.trim();
  if (!reason)
    throw new Error('say why the trail is adopted (--reason): the witness keeps it, and verify shows it on every run');
  if (reason.length > ADOPTION_REASON_MAX)
    throw new Error(`the reason is longer than ${ADOPTION_REASON_MAX} characters`);
  if (!by) throw new Error('say who adopts the trail (--by)');
  const location = resolve(dir);
  const identity = readTrailIdentity(dir);
  const current = identity && !('invalid' in identity) ? identity.trailId : undefined;
  const { seq, hash } = trailTail(dir);
  // A trail its witness holds is adopted only when the witness vouches for records it no longer
  // has (its tail cut, or lost and restored from an older backup): the gateway refuses to go on there.
  const witnessed = current ? await witness.last(current).catch(() => undefined) : undefined;
  if (witnessed && witnessed.seq <= seq) {
    throw new Error(
      `the trail in ${dir} (${current}) is held by the witness at ${witness.location}: there is nothing to adopt`,
    );
  }
  const supersedes = [...new Set([...(await witness.trailsOpenedAt(location)), ...(current ? [current] : [])])];
  if (!supersedes.length && !identity) {
    throw new Error(
      `the witness at ${witness.location} knows no trail opened in ${dir}: a gateway adopts this folder by itself when it starts`,
    );
  }
  const trailId = randomUUID();
  const time = now.toISOString();
  const adoption: TrailAdoption = { by, reason, supersedes };
  await witness.append({
    ...signCheckpoint(signingKey, seq, hash, time, trailId),
    trailId,
    opened: { location, adoption },
  });
  // Kept for whoever investigates; out of verify's way, since they vouch for the replaced trail.
  const stamp = time.replace(/[:.]/g, '-');
  const movedAside: string[] = [];
  for (const [file, aside] of [
    [CHECKPOINT_FILE, `checkpoints.superseded-${stamp}.jsonl`],
    [TRAIL_FILE, `trail.superseded-${stamp}.json`],
  ] as const) {
    if (!existsSync(join(dir, file))) continue;
    renameSync(join(dir, file), join(dir, aside));
    movedAside.push(aside);
  }
  if (movedAside.length) fsyncDirectory(dir);
  writeTrailIdentity(dir, { trailId, created: time, openedAtSeq: seq, witness: witness.location });
  return { trailId, atSeq: seq, supersedes, movedAside };
}
