import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditEntry, AuditRecord } from './auditRecord';

/** The hash before the first record of a trail. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Each record carries the hash of the one before it, so editing or removing any record breaks
 * every hash after it. (Cutting the tail off is caught by the signed checkpoints and their witness.)
 */
export function chainRecord(entry: AuditEntry, seq: number, prevHash: string): AuditRecord {
  const unsigned = { ...entry, seq, prevHash };
  return { ...unsigned, hash: recordHash(unsigned) } as AuditRecord;
}

/** Chains a batch after (`seq`, `hash`): the records, and where the chain then ends. */
export function chainBatch(entries: readonly AuditEntry[], seq: number, hash: string): { records: AuditRecord[]; seq: number; hash: string } {
  const records: AuditRecord[] = [];
  for (const entry of entries) {
    const record = chainRecord(entry, ++seq, hash);
    hash = record.hash;
    records.push(record);
  }
  return { records, seq, hash };
}

export function recordHash(record: object): string {
  return createHash('sha256').update(canonicalJson(record)).digest('hex');
}

/**
 * JSON with object keys sorted, so the hash does not depend on key order. It also keys cached
 * responses by a request's variables, which a client may nest as deep as its body allows: so it
 * walks with a stack of its own, not the call stack (20 000 nested `[` would otherwise overflow it).
 * The text is the same as a recursive walk's, byte for byte (audit hashes depend on it).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const out: string[] = [];
  // Pending work, last first: text to write as is, or a value (inside an array or an object).
  const pending: ({ text: string } | { value: unknown; inObject: boolean })[] = [{ value, inObject: false }];
  while (pending.length) {
    const next = pending.pop()!;
    if ('text' in next) {
      out.push(next.text);
      continue;
    }
    const item = next.value;
    if (item === null || typeof item !== 'object') {
      // What a template literal (object member) or Array#join (array item) makes of `undefined`.
      out.push(JSON.stringify(item) ?? (next.inObject ? 'undefined' : ''));
    } else if (Array.isArray(item)) {
      out.push('[');
      pending.push({ text: ']' });
      for (let i = item.length - 1; i >= 0; i--) {
        pending.push({ value: item[i], inObject: false });
        if (i > 0) pending.push({ text: ',' });
      }
    } else {
      const entries = Object.entries(item as Record<string, unknown>)
        .filter(([, member]) => member !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      out.push('{');
      pending.push({ text: '}' });
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, member] = entries[i]!;
        pending.push({ value: member, inObject: true }, { text: `${JSON.stringify(key)}:` });
        if (i > 0) pending.push({ text: ',' });
      }
    }
  }
  return out.join('');
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
  return { seq, hash, time, ...(trailId === undefined ? {} : { trailId }), signature: createHmac('sha256', key).update(text).digest('hex') };
}

export function checkpointValid(key: string, checkpoint: Checkpoint): boolean {
  if (typeof checkpoint.signature !== 'string') return false;
  const expected = Buffer.from(signCheckpoint(key, checkpoint.seq, checkpoint.hash, checkpoint.time, checkpoint.trailId).signature);
  const given = Buffer.from(checkpoint.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The checkpoint key, derived from the hub's subgraph signing key so no new secret is needed. */
export function checkpointKey(subgraphSigningKey: string): string {
  return createHmac('sha256', subgraphSigningKey).update('cdo-hub audit checkpoints').digest('hex');
}
