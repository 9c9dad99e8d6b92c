import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditEntry, AuditRecord } from './auditRecord';

/** The hash before the first record of a trail. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Each record carries the hash of the one before it, so editing or removing any record breaks
 * every hash after it. (Cutting the tail off is caught by the signed checkpoints.)
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

/** JSON with object keys sorted, so the hash does not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

/** A signed statement that the trail had reached `seq` with `hash` at `time`. */
export interface Checkpoint {
  seq: number;
  hash: string;
  time: string;
  signature: string;
}

export function signCheckpoint(key: string, seq: number, hash: string, time: string): Checkpoint {
  return { seq, hash, time, signature: createHmac('sha256', key).update(`${seq}.${hash}.${time}`).digest('hex') };
}

export function checkpointValid(key: string, checkpoint: Checkpoint): boolean {
  const expected = Buffer.from(signCheckpoint(key, checkpoint.seq, checkpoint.hash, checkpoint.time).signature);
  const given = Buffer.from(checkpoint.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The checkpoint key, derived from the hub's subgraph signing key so no new secret is needed. */
export function checkpointKey(subgraphSigningKey: string): string {
  return createHmac('sha256', subgraphSigningKey).update('cdo-hub audit checkpoints').digest('hex');
}
