import { TRAIL_ID_PATTERN, type WitnessEntry } from './auditWitness';
import type { SigningKeys } from '@cdo-hub/contracts';
import { checkpointSignedUnder, PREVIOUS_CHECKPOINT_KEYS_HINT, type Checkpoint } from './hashChain';
import { CHECKPOINT_FILE as CHECKPOINTS } from './jsonlAuditLog';
import { TRAIL_FILE, type TrailIdentity } from './trailIdentity';

/** Something wrong with the trail: where (a file of the trail, or the witness) and what. */
export interface TrailProblem {
  file: string;
  /** The line of that file, when the problem is one line. */
  line?: number;
  message: string;
}

/**
 * Which trail a folder holds: its `trail.json`, checked against the ids its signed checkpoints
 * name. An id found only in the checkpoints still finds the witness (trail.json deleted). Pure.
 */
export function resolveTrailId(
  identity: TrailIdentity | { invalid: string } | undefined,
  checkpoints: readonly { checkpoint: Checkpoint; line: number }[],
): { trailId?: string; problems: TrailProblem[] } {
  const problems: TrailProblem[] = [];
  let trailId: string | undefined;
  if (identity && 'invalid' in identity) problems.push({ file: TRAIL_FILE, message: identity.invalid });
  else if (identity && !TRAIL_ID_PATTERN.test(identity.trailId))
    problems.push({ file: TRAIL_FILE, message: `${JSON.stringify(identity.trailId)} is not a trail id` });
  else if (identity) trailId = identity.trailId;
  for (const { checkpoint, line } of checkpoints) {
    if (checkpoint.trailId === undefined) continue;
    if (!TRAIL_ID_PATTERN.test(checkpoint.trailId)) {
      problems.push({
        file: CHECKPOINTS,
        line,
        message: `checkpoint at record ${checkpoint.seq} names an invalid trail id`,
      });
    } else if (trailId === undefined && !identity) {
      trailId = checkpoint.trailId;
      problems.push({
        file: TRAIL_FILE,
        message: `${TRAIL_FILE} is missing, though the checkpoints name trail ${trailId}`,
      });
    } else if (checkpoint.trailId !== trailId) {
      problems.push({
        file: CHECKPOINTS,
        line,
        message: `checkpoint at record ${checkpoint.seq} belongs to trail ${checkpoint.trailId}, not to ${trailId ?? 'this one'}`,
      });
    }
  }
  return { ...(trailId ? { trailId } : {}), problems };
}

export interface WitnessComparison {
  problems: TrailProblem[];
  /** Not a failure, but worth knowing (a trail no witness guards yet). */
  warnings: string[];
  /** What verify accepted and why (a crash between the witness and the folder). */
  notes: string[];
  /** The last record the witness vouches for (0 for a trail that has none witnessed yet). */
  witnessedSeq?: number;
}

/**
 * The trail against its witness. Every witnessed checkpoint must find its record in the trail with
 * the hash it signed: a trail that ends before the last one was cut from the tail, whatever
 * `checkpoints.jsonl` still says. The folder's checkpoints may lag the witness (it is written
 * first: a crash between the two leaves it one ahead, a failing disk several), which hides
 * nothing while the records are there; a checkpoint in the folder that the witness lacks was not
 * written by a gateway. Pure: the caller reads the files and the witness.
 */
export function compareWithWitness(input: {
  /** The checkpoint keys: the current one, and those used before a rotation. */
  signingKey: SigningKeys;
  trailId: string | undefined;
  identity: TrailIdentity | { invalid: string } | undefined;
  records: number;
  lastSeq: number;
  recordHash: (seq: number) => string | undefined;
  checkpoints: readonly { checkpoint: Checkpoint; line: number }[];
  witness: {
    location: string;
    entries: readonly WitnessEntry[] | undefined;
    /** Every trail the witness says was opened in this folder, with the last record it vouches for. */
    openedHere: readonly string[];
    lastWitnessed?: ReadonlyMap<string, number>;
  };
}): WitnessComparison {
  const { witness, trailId, lastSeq } = input;
  const problems: TrailProblem[] = [];
  const warnings: string[] = [];
  const notes: string[] = [];
  if (trailId === undefined) {
    // A folder a trail was opened in, now without any: deleted whole, or stripped of its id.
    if (witness.openedHere.length) {
      problems.push({
        file: TRAIL_FILE,
        message:
          input.records === 0
            ? `there is no trail here, but the witness at ${witness.location} holds trail ${witness.openedHere.join(', ')} opened in this folder: the trail was removed`
            : `the trail carries no id, but the witness at ${witness.location} holds trail ${witness.openedHere.join(', ')} opened in this folder: its id and the checkpoints naming it were removed`,
      });
    } else if (input.records > 0 || input.checkpoints.length > 0) {
      warnings.push(
        'this trail has no id, so no witness guards its tail: it was written before checkpoints were witnessed and no gateway has opened it since (the next one to open it adopts it)',
      );
    }
    return { problems, warnings, notes };
  }
  // Another trail opened in this folder that this one does not replace by an operator's adoption:
  // the earlier trail's id was removed and a gateway gave the folder a new one, so its witness —
  // which alone could show a cut from its tail — would otherwise never be read again.
  const adoption = witness.entries?.find((entry) => entry.opened)?.opened?.adoption;
  const replaced = new Set(adoption?.supersedes ?? []);
  const others = witness.openedHere.filter((id) => id !== trailId && !replaced.has(id));
  if (others.length) {
    const named = others
      .map((id) =>
        witness.lastWitnessed?.has(id) ? `${id} (witnessed up to record ${witness.lastWitnessed.get(id)})` : id,
      )
      .join(', ');
    problems.push({
      file: witness.location,
      message: `the witness also holds trail ${named} opened in this folder, which trail ${trailId} does not continue: the earlier trail's id was removed and the folder given a new one, which hides any records cut from its tail; an operator who means to start over runs hub audit adopt, which the witness records`,
    });
  }
  if (adoption) {
    const opening = witness.entries!.find((entry) => entry.opened)!;
    // What the replaced trails' witness vouched for beyond the adoption: records lost for good.
    const lost = adoption.supersedes.flatMap((id) => {
      const reached = witness.lastWitnessed?.get(id) ?? 0;
      if (reached <= opening.seq) return [];
      const range =
        reached - opening.seq > 1
          ? `records ${opening.seq + 1}–${reached} of trail ${id}`
          : `record ${reached} of trail ${id}`;
      return [
        `; ${range}, vouched for by its witness, ${reached - opening.seq > 1 ? 'are' : 'is'} lost (the new trail numbers its own records from ${opening.seq + 1})`,
      ];
    });
    warnings.push(
      `trail ${trailId} was adopted at record ${opening.seq} on ${opening.time} by ${JSON.stringify(adoption.by)}, replacing trail ${adoption.supersedes.join(', ') || '(none)'}: ${JSON.stringify(adoption.reason)} — records before it are checked by their chain only, not against the replaced trail's witness${lost.join('')}`,
    );
  }
  if (!witness.entries) {
    const hint =
      input.identity && !('invalid' in input.identity) && input.identity.witness !== witness.location
        ? ` (the gateway wrote it at ${input.identity.witness})`
        : '';
    problems.push({
      file: witness.location,
      message: `the witness holds nothing for trail ${trailId}${hint}: point --witness-dir or --witness-redis-url at the witness the trail was written with; if that is where it was, the witness was lost or the trail's id was changed`,
    });
    return { problems, warnings, notes };
  }
  const valid = witness.entries.filter((entry) => {
    if (checkpointSignedUnder(input.signingKey, entry)) return true;
    problems.push({
      file: witness.location,
      message: `the witness's entry for record ${entry.seq} has a bad signature (${PREVIOUS_CHECKPOINT_KEYS_HINT})`,
    });
    return false;
  });
  const witnessedSeq = valid.reduce((max, entry) => Math.max(max, entry.seq), 0);
  const last = valid.filter((entry) => entry.seq === witnessedSeq).at(-1);
  if (last && witnessedSeq > lastSeq) {
    problems.push({
      file: witness.location,
      message: `the trail ends at record ${lastSeq}, but its witness vouches for record ${witnessedSeq} (checkpoint of ${last.time}): record${witnessedSeq - lastSeq > 1 ? `s ${lastSeq + 1}–${witnessedSeq} were` : ` ${witnessedSeq} was`} cut from the tail`,
    });
  }
  for (const entry of valid) {
    if (entry.seq === 0 || entry.seq > lastSeq) continue;
    const hash = input.recordHash(entry.seq);
    if (hash !== entry.hash)
      problems.push({
        file: witness.location,
        message: `record ${entry.seq} differs from the one the witness vouched for on ${entry.time}`,
      });
  }
  const witnessed = new Set(valid.map((entry) => entry.signature));
  for (const { checkpoint, line } of input.checkpoints) {
    if (checkpoint.trailId === trailId && !witnessed.has(checkpoint.signature)) {
      problems.push({
        file: CHECKPOINTS,
        line,
        message: `checkpoint at record ${checkpoint.seq} is not in the witness at ${witness.location}: the gateway writes the witness first, so no gateway wrote it alone (or the witness lost entries)`,
      });
    }
  }
  const inFolder = new Set(input.checkpoints.map(({ checkpoint }) => checkpoint.signature));
  const lagging = valid.filter(
    (entry) =>
      !entry.opened &&
      !inFolder.has(entry.signature) &&
      entry.seq <= lastSeq &&
      input.recordHash(entry.seq) === entry.hash,
  );
  if (lagging.length) {
    notes.push(
      `${lagging.length} witnessed checkpoint(s) (last at record ${lagging.at(-1)!.seq}) are not in ${CHECKPOINTS}: the witness is written first, and a crash or a failing disk stopped the copy; the records they vouch for are present`,
    );
  }
  return { problems, warnings, notes, witnessedSeq };
}
