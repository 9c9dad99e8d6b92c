import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDirectory, type AuditWitness } from './auditWitness';

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

/** The command that lets an operator start a new trail where the witness knows an earlier one. */
export const ADOPT_COMMAND = 'hub audit adopt --reason "<why>"';

/** The same for a gateway's Redis Stream (`AUDIT_REDIS_URL`). */
export const ADOPT_STREAM_COMMAND = 'hub audit adopt --stream --reason "<why>"';

/** Why a gateway will not give a trail the witness already knows a new id by itself. */
export function readoptionRefused(what: string, where: string, witnessLocation: string, earlier: readonly string[], command: string): string {
  return (
    `${what}, but the witness at ${witnessLocation} holds trail ${earlier.join(', ')} opened in ${where}: ` +
    'its id was removed, and perhaps records from its tail with it (hub audit verify says what is missing; for a stream, hub audit archive). A new trail here would hide that, so the gateway will not start one by itself. ' +
    `To start a new trail here anyway, stop the gateway and run ${command}: the witness keeps who did it and why, and hub audit verify reports it on every run`
  );
}

/** The trail whose only witness entry is its opening at exactly this tail: opened, then interrupted. */
export async function interruptedOpening(witness: AuditWitness, trailId: string, seq: number, hash: string): Promise<{ trailId: string; time: string } | undefined> {
  const entries = await witness.entries(trailId);
  const only = entries?.length === 1 ? entries[0] : undefined;
  return only?.opened && !only.opened.adoption && only.seq === seq && only.hash === hash ? { trailId, time: only.time } : undefined;
}
