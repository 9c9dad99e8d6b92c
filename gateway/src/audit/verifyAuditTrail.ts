import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AuditRecord } from './auditRecord';
import type { AuditWitness } from './auditWitness';
import type { SigningKeys } from '@cdo-hub/contracts';
import {
  checkpointSignedUnder,
  GENESIS_HASH,
  PREVIOUS_CHECKPOINT_KEYS_HINT,
  recordHash,
  type Checkpoint,
} from './hashChain';
import { auditFiles, CHECKPOINT_FILE } from './jsonlAuditLog';
import { readTrailIdentity } from './trailIdentity';
import { compareWithWitness, resolveTrailId, type TrailProblem } from './witnessCheck';

export interface TrailVerification {
  ok: boolean;
  records: number;
  lastSeq: number;
  checkpoints: number;
  /**
   * The checkpoints that verified under a key the hub used before (`HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS`),
   * written before a rotation: how many, and the records they vouch for. Absent when none did.
   */
  previousKeyCheckpoints?: PreviousKeyCheckpoints;
  problems: TrailProblem[];
}

export interface PreviousKeyCheckpoints {
  count: number;
  fromSeq: number;
  toSeq: number;
}

/** What verify says of the checkpoints a previous key vouched for. */
export function describePreviousKeyCheckpoints(found: PreviousKeyCheckpoints): string {
  return `${found.count} checkpoint(s), at records ${found.fromSeq}–${found.toSeq}, verified under a previous signing key (HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS): written before the key was rotated; keep that key for as long as this trail must verify`;
}

export interface WitnessedTrailVerification extends TrailVerification {
  trailId?: string;
  /** Where the witness was read. */
  witness: string;
  /** The last record the witness vouches for. */
  witnessedSeq?: number;
  warnings: string[];
  notes: string[];
}

/** The trail read once: the chain's problems, each record's hash, and the validly signed checkpoints. */
interface TrailScan extends TrailVerification {
  hashes: Map<number, string>;
  signed: { checkpoint: Checkpoint; line: number }[];
}

/**
 * Recomputes the hash chain over every file in order — an edited record, a removed one or records
 * out of order break it — and checks every signed checkpoint in the folder against the records, so
 * a trail cut short below its last checkpoint is caught too. Cuts that take the checkpoints with
 * them need the witness: `verifyWitnessedTrail`.
 */
export function verifyAuditTrail(dir: string, signingKey: SigningKeys): TrailVerification {
  const { hashes: _hashes, signed: _signed, ...verification } = scanTrail(dir, signingKey);
  return verification;
}

/**
 * `hub audit verify`: the trail's own checks, then the trail against the witness that holds its
 * checkpoints outside the folder — so records cut from the tail together with the checkpoints
 * that covered them are caught as long as the witness had them.
 */
export async function verifyWitnessedTrail(
  dir: string,
  signingKey: SigningKeys,
  witness: AuditWitness,
): Promise<WitnessedTrailVerification> {
  const scan = scanTrail(dir, signingKey);
  const identity = readTrailIdentity(dir);
  const { trailId, problems: identityProblems } = resolveTrailId(identity, scan.signed);
  const entries = trailId ? await witness.entries(trailId) : undefined;
  // Always asked, not only when the trail has no id: a trail that got a new id still has its
  // predecessor in the witness, and the predecessor is where a cut shows.
  const openedHere = await witness.trailsOpenedAt(resolve(dir));
  const lastWitnessed = new Map<string, number>();
  // …and the trails an adoption replaced, wherever they were opened: how far they reached is what was lost.
  const superseded = entries?.find((entry) => entry.opened)?.opened?.adoption?.supersedes ?? [];
  for (const id of new Set([...openedHere, ...superseded])) {
    const last = id === trailId ? undefined : await witness.last(id);
    if (last) lastWitnessed.set(id, last.seq);
  }
  const comparison = compareWithWitness({
    signingKey,
    trailId,
    identity,
    records: scan.records,
    lastSeq: scan.lastSeq,
    recordHash: (seq) => scan.hashes.get(seq),
    checkpoints: scan.signed,
    witness: { location: witness.location, entries, openedHere, lastWitnessed },
  });
  const problems = [...scan.problems, ...identityProblems, ...comparison.problems];
  return {
    ok: problems.length === 0,
    records: scan.records,
    lastSeq: scan.lastSeq,
    checkpoints: scan.checkpoints,
    ...(scan.previousKeyCheckpoints ? { previousKeyCheckpoints: scan.previousKeyCheckpoints } : {}),
    problems,
    ...(trailId ? { trailId } : {}),
    witness: witness.location,
    ...(comparison.witnessedSeq !== undefined ? { witnessedSeq: comparison.witnessedSeq } : {}),
    warnings: comparison.warnings,
    notes: [
      ...comparison.notes,
      ...(scan.previousKeyCheckpoints ? [describePreviousKeyCheckpoints(scan.previousKeyCheckpoints)] : []),
    ],
  };
}

function scanTrail(dir: string, signingKey: SigningKeys): TrailScan {
  const problems: TrailProblem[] = [];
  const hashes = new Map<number, string>();
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let records = 0;
  for (const file of auditFiles(dir)) {
    const lines = readFileSync(join(dir, file), 'utf8').split('\n');
    lines.forEach((text, index) => {
      if (!text) return;
      let record: AuditRecord;
      try {
        record = JSON.parse(text) as AuditRecord;
      } catch {
        problems.push({ file, line: index + 1, message: 'not a JSON record' });
        return;
      }
      records++;
      if (record.seq !== expectedSeq)
        problems.push({
          file,
          line: index + 1,
          message: `record ${record.seq} where ${expectedSeq} was expected (records removed or reordered)`,
        });
      if (record.prevHash !== prevHash)
        problems.push({
          file,
          line: index + 1,
          message: `record ${record.seq} does not follow the previous record's hash`,
        });
      const { hash, ...rest } = record;
      if (recordHash(rest) !== hash)
        problems.push({
          file,
          line: index + 1,
          message: `record ${record.seq} was altered (its hash does not match its content)`,
        });
      hashes.set(record.seq, hash);
      expectedSeq = record.seq + 1;
      prevHash = hash;
    });
  }
  let checkpoints = 0;
  let previousKeyCheckpoints: PreviousKeyCheckpoints | undefined;
  const signed: TrailScan['signed'] = [];
  const checkpointPath = join(dir, CHECKPOINT_FILE);
  if (existsSync(checkpointPath)) {
    readFileSync(checkpointPath, 'utf8')
      .split('\n')
      .forEach((text, index) => {
        if (!text) return;
        checkpoints++;
        let checkpoint: Checkpoint;
        try {
          checkpoint = JSON.parse(text) as Checkpoint;
        } catch {
          problems.push({ file: CHECKPOINT_FILE, line: index + 1, message: 'not a JSON checkpoint' });
          return;
        }
        const signedUnder = checkpointSignedUnder(signingKey, checkpoint);
        if (!signedUnder) {
          problems.push({
            file: CHECKPOINT_FILE,
            line: index + 1,
            message: `checkpoint at record ${checkpoint.seq} has a bad signature (${PREVIOUS_CHECKPOINT_KEYS_HINT})`,
          });
          return;
        }
        if (signedUnder === 'previous')
          previousKeyCheckpoints = {
            count: (previousKeyCheckpoints?.count ?? 0) + 1,
            fromSeq: Math.min(previousKeyCheckpoints?.fromSeq ?? checkpoint.seq, checkpoint.seq),
            toSeq: Math.max(previousKeyCheckpoints?.toSeq ?? checkpoint.seq, checkpoint.seq),
          };
        signed.push({ checkpoint, line: index + 1 });
        if (!hashes.has(checkpoint.seq))
          problems.push({
            file: CHECKPOINT_FILE,
            line: index + 1,
            message: `checkpoint vouches for record ${checkpoint.seq}, which is missing: the trail was cut short`,
          });
        else if (hashes.get(checkpoint.seq) !== checkpoint.hash)
          problems.push({
            file: CHECKPOINT_FILE,
            line: index + 1,
            message: `record ${checkpoint.seq} differs from the one the checkpoint signed`,
          });
      });
  }
  return {
    ok: problems.length === 0,
    records,
    lastSeq: expectedSeq - 1,
    checkpoints,
    ...(previousKeyCheckpoints ? { previousKeyCheckpoints } : {}),
    problems,
    hashes,
    signed,
  };
}
