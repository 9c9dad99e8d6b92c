import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDirectory } from './auditWitness';

/** The trail's identity, beside its records: `AUDIT_DIR/trail.json`. */
export const TRAIL_FILE = 'trail.json';

/**
 * Which trail a folder holds, so `hub audit verify` can find its witness. Written once, when the
 * trail gets its id: before its first record, or — for a trail written before trails had ids —
 * when a gateway first opens it (`openedAtSeq` is then its tail, and nothing before is rewritten).
 * Every checkpoint written since names the same id under its signature.
 */
export interface TrailIdentity {
  trailId: string;
  created: string;
  openedAtSeq: number;
  /** Where the gateway kept the witness: a hint for messages only — verify never trusts it. */
  witness: string;
}

/** The identity in `dir`; undefined when there is none, `{ invalid }` when the file does not parse. */
export function readTrailIdentity(dir: string): TrailIdentity | { invalid: string } | undefined {
  const path = join(dir, TRAIL_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const identity = JSON.parse(readFileSync(path, 'utf8')) as TrailIdentity;
    if (typeof identity?.trailId !== 'string') return { invalid: `${TRAIL_FILE} names no trail id` };
    return identity;
  } catch {
    return { invalid: `${TRAIL_FILE} is not JSON` };
  }
}

/** Writes the identity atomically and durably (temporary file, fsync, rename, fsync of the folder). */
export function writeTrailIdentity(dir: string, identity: TrailIdentity): void {
  const path = join(dir, TRAIL_FILE);
  const fd = openSync(`${path}.tmp`, 'w');
  try {
    writeSync(fd, JSON.stringify(identity, null, 2) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(`${path}.tmp`, path);
  fsyncDirectory(dir);
}
