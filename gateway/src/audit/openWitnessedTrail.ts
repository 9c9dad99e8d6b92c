import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { TRAIL_ID_PATTERN, type AuditWitness } from './auditWitness';
import { signCheckpoint, type Checkpoint } from './hashChain';
import { readTrailIdentity, writeTrailIdentity } from './trailIdentity';
import { CHECKPOINT_FILE, appendDurably } from './trailFiles';

/**
 * Gives the trail in `dir` its id on first open — the witness's first entry before `trail.json`,
 * so an id never exists without its witness — or checks the witness holds the trail it names.
 * A trail written before trails had ids is adopted at its tail: nothing before is rewritten.
 */
export async function openWitnessedTrail(
  dir: string,
  witness: AuditWitness,
  signingKey: string,
  seq: number,
  hash: string,
  lastCheckpoint: Checkpoint | undefined,
): Promise<{ trailId: string; lastCheckpoint: Checkpoint | undefined }> {
  const identity = readTrailIdentity(dir);
  if (identity && 'invalid' in identity)
    throw new Error(`the audit trail in ${dir} cannot be opened: ${identity.invalid}`);
  if (identity) {
    if (!TRAIL_ID_PATTERN.test(identity.trailId))
      throw new Error(`the audit trail in ${dir} names an invalid trail id in trail.json`);
    const last = await witness.last(identity.trailId);
    if (!last) {
      throw new Error(
        `the audit witness at ${witness.location} holds nothing for trail ${identity.trailId} in ${dir} (written with the witness at ${identity.witness}): ` +
          `set AUDIT_WITNESS_DIR or AUDIT_WITNESS_REDIS_URL to the witness this trail was written with. A lost witness cannot be recreated; to go on with a new trail here, stop and run ${ADOPT_COMMAND} (the witness keeps who and why)`,
      );
    }
    // Records the witness vouches for are missing: cut, or lost with a disk and the trail restored
    // from an older backup. Writing on would give new records their numbers and bury the loss, so
    // only an operator may go on (`hub audit adopt`), and the witness keeps that decision.
    if (last.seq > seq) throw new Error(tailMissing(dir, witness.location, seq, last));
    if (!last.opened && last.signature !== lastCheckpoint?.signature && last.seq >= (lastCheckpoint?.seq ?? 0)) {
      // A crash between the witness and checkpoints.jsonl: copy the witnessed checkpoint over.
      const { opened: _opened, ...checkpoint } = last;
      appendDurably(join(dir, CHECKPOINT_FILE), JSON.stringify(checkpoint) + '\n');
      return { trailId: identity.trailId, lastCheckpoint: checkpoint };
    }
    return { trailId: identity.trailId, lastCheckpoint };
  }
  // No id here. If the witness knows trails opened in this folder, its id was removed — and with it,
  // perhaps, records from the tail: a new id would make verify check the cut trail against a
  // witness that knows nothing of the cut. Only an operator may start over (`hub audit adopt`).
  const location = resolve(dir);
  const earlier = await witness.trailsOpenedAt(location);
  if (earlier.length) {
    const resumed = earlier.length === 1 ? await interruptedOpening(witness, earlier[0]!, seq, hash) : undefined;
    if (!resumed) throw new Error(readoptionRefused(dir, witness.location, earlier));
    // A crash between the witness's first entry and trail.json: that id vouches for nothing more.
    writeTrailIdentity(dir, {
      trailId: resumed.trailId,
      created: resumed.time,
      openedAtSeq: seq,
      witness: witness.location,
    });
    return { trailId: resumed.trailId, lastCheckpoint };
  }
  const trailId = randomUUID();
  const time = new Date().toISOString();
  await witness.append({ ...signCheckpoint(signingKey, seq, hash, time, trailId), trailId, opened: { location } });
  writeTrailIdentity(dir, { trailId, created: time, openedAtSeq: seq, witness: witness.location });
  return { trailId, lastCheckpoint };
}

/** Why a gateway will not write on a trail that ends before the last record its witness vouches for. */
export function tailMissing(
  dir: string,
  witnessLocation: string,
  seq: number,
  witnessed: { seq: number; time: string },
): string {
  const missing = witnessed.seq - seq > 1 ? `records ${seq + 1}–${witnessed.seq} are` : `record ${witnessed.seq} is`;
  return (
    `the audit trail in ${dir} ends at record ${seq}, but its witness at ${witnessLocation} vouches for record ${witnessed.seq} (checkpoint of ${witnessed.time}): ${missing} missing — cut, or lost with a disk and the trail restored from an older backup. ` +
    'New records here would take their numbers and bury the loss, so the gateway will not write on this trail. Put the missing records back if a copy holds them; ' +
    `otherwise stop the gateway and run ${ADOPT_COMMAND}: the witness keeps who did it and why, and hub audit verify reports the lost records on every run`
  );
}

/** The command that lets an operator start a new trail where the witness knows an earlier one. */
export const ADOPT_COMMAND = 'hub audit adopt --reason "<why>"';

/** Why a gateway will not give a folder the witness already knows a new trail id. */
export function readoptionRefused(dir: string, witnessLocation: string, earlier: readonly string[]): string {
  return (
    `the audit trail in ${dir} carries no id (trail.json is missing), but the witness at ${witnessLocation} holds trail ${earlier.join(', ')} opened in this folder: ` +
    'its id was removed, and perhaps records from its tail with it (hub audit verify says what is missing). A new trail here would hide that, so the gateway will not start one by itself. ' +
    `To start a new trail here anyway, stop the gateway and run ${ADOPT_COMMAND}: the witness keeps who did it and why, and hub audit verify reports it on every run`
  );
}

/** The trail whose only witness entry is its opening at exactly this tail: opened, then interrupted. */
async function interruptedOpening(
  witness: AuditWitness,
  trailId: string,
  seq: number,
  hash: string,
): Promise<{ trailId: string; time: string } | undefined> {
  const entries = await witness.entries(trailId);
  const only = entries?.length === 1 ? entries[0] : undefined;
  return only?.opened && !only.opened.adoption && only.seq === seq && only.hash === hash
    ? { trailId, time: only.time }
    : undefined;
}
