import { keyringOf, type SigningKeyring, type SigningKeys } from '@cdo-hub/contracts';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '../formats';
import type { AuditEntry, AuditRecord } from './auditRecord';

/** The hash before the first record of a trail. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Each record carries the hash of the one before it, so editing or removing any record breaks
 * every hash after it. (Cutting the tail off is caught by the signed checkpoints and their witness.)
 */
export function chainRecord(entry: AuditEntry, seq: number, prevHash: string): AuditRecord {
  return chainedLine(entry, seq, prevHash).record;
}

/**
 * A chained record and its line in the trail: the canonical text its hash was taken over, with
 * the hash added last — one serialisation per record instead of two. Readers parse the line, and
 * the hash is checked over the parsed record's canonical text, so the members' order is free.
 */
function chainedLine(entry: AuditEntry, seq: number, prevHash: string): { record: AuditRecord; line: string } {
  const unsigned = { ...entry, seq, prevHash };
  const text = canonicalJson(unsigned);
  const hash = createHash('sha256').update(text).digest('hex');
  // `text` is an object's canonical text with at least `seq` and `prevHash`: it ends with `}`.
  return { record: { ...unsigned, hash } as AuditRecord, line: `${text.slice(0, -1)},"hash":"${hash}"}` };
}

/** Chains a batch after (`seq`, `hash`): the records, their lines (without newlines), and where the chain then ends. */
export function chainBatch(
  entries: readonly AuditEntry[],
  seq: number,
  hash: string,
): { records: AuditRecord[]; lines: string[]; seq: number; hash: string } {
  const records: AuditRecord[] = [];
  const lines: string[] = [];
  for (const entry of entries) {
    const { record, line } = chainedLine(entry, ++seq, hash);
    hash = record.hash;
    records.push(record);
    lines.push(line);
  }
  return { records, lines, seq, hash };
}

export function recordHash(record: object): string {
  return createHash('sha256').update(canonicalJson(record)).digest('hex');
}

/**
 * A signed statement that the trail had reached `seq` with `hash` at `time`. Checkpoints written
 * since trails have ids also name their trail (`trailId`, signed with the rest), so a checkpoint
 * cannot be moved to another trail and the trail's id cannot be changed under its checkpoints.
 */
export interface Checkpoint {
  seq: number;
  hash: string;
  time: string;
  trailId?: string;
  signature: string;
}

export function signCheckpoint(key: string, seq: number, hash: string, time: string, trailId?: string): Checkpoint {
  // Without a trail id the signed text is what it always was, so older checkpoints still verify.
  const text = trailId === undefined ? `${seq}.${hash}.${time}` : `${seq}.${hash}.${time}.${trailId}`;
  return {
    seq,
    hash,
    time,
    ...(trailId === undefined ? {} : { trailId }),
    signature: createHmac('sha256', key).update(text).digest('hex'),
  };
}

export function checkpointValid(key: string, checkpoint: Checkpoint): boolean {
  if (typeof checkpoint.signature !== 'string') return false;
  const expected = Buffer.from(
    signCheckpoint(key, checkpoint.seq, checkpoint.hash, checkpoint.time, checkpoint.trailId).signature,
  );
  const given = Buffer.from(checkpoint.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * Which of the keys signed a checkpoint: the current one, one the hub used before (a checkpoint
 * written before a rotation of the signing key), or none (`undefined`: forged or altered — or
 * signed under a previous key nobody gave). The current key is tried first.
 */
export function checkpointSignedUnder(keys: SigningKeys, checkpoint: Checkpoint): 'current' | 'previous' | undefined {
  const keyring = keyringOf(keys);
  if (checkpointValid(keyring.current, checkpoint)) return 'current';
  return keyring.previous.some((key) => checkpointValid(key, checkpoint)) ? 'previous' : undefined;
}

/**
 * What to set when a checkpoint verifies under no key given: its signature names no variable, but
 * the likeliest honest cause is a rotation whose previous key was not passed on.
 */
export const PREVIOUS_CHECKPOINT_KEYS_HINT =
  'if HUB_SUBGRAPH_SIGNING_KEY was rotated since it was written, set HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS to the key(s) it replaced';

/** The checkpoint key, derived from the hub's subgraph signing key so no new secret is needed. */
export function checkpointKey(subgraphSigningKey: string): string {
  return createHmac('sha256', subgraphSigningKey).update('cdo-hub audit checkpoints').digest('hex');
}

/**
 * The checkpoint keys of a subgraph signing keyring: new checkpoints are signed under the current
 * one; those written before a rotation verify under the previous ones.
 */
export function checkpointKeyring(signing: SigningKeyring): SigningKeyring {
  return { current: checkpointKey(signing.current), previous: signing.previous.map(checkpointKey) };
}
