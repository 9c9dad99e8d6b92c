import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditRecord } from './auditRecord';
import { checkpointValid, GENESIS_HASH, recordHash, type Checkpoint } from './hashChain';
import { auditFiles, CHECKPOINT_FILE } from './jsonlAuditLog';

export interface TrailProblem {
  file: string;
  line: number;
  message: string;
}

export interface TrailVerification {
  ok: boolean;
  records: number;
  lastSeq: number;
  checkpoints: number;
  problems: TrailProblem[];
}

/**
 * `hub audit verify`: recomputes the hash chain over every file in order — an edited record, a
 * removed one or records out of order break it — and checks every signed checkpoint against the
 * records, so a trail cut short below its last checkpoint is caught too.
 */
export function verifyAuditTrail(dir: string, signingKey: string): TrailVerification {
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
      if (record.seq !== expectedSeq) problems.push({ file, line: index + 1, message: `record ${record.seq} where ${expectedSeq} was expected (records removed or reordered)` });
      if (record.prevHash !== prevHash) problems.push({ file, line: index + 1, message: `record ${record.seq} does not follow the previous record's hash` });
      const { hash, ...rest } = record;
      if (recordHash(rest) !== hash) problems.push({ file, line: index + 1, message: `record ${record.seq} was altered (its hash does not match its content)` });
      hashes.set(record.seq, hash);
      expectedSeq = record.seq + 1;
      prevHash = hash;
    });
  }
  let checkpoints = 0;
  const checkpointPath = join(dir, CHECKPOINT_FILE);
  if (existsSync(checkpointPath)) {
    readFileSync(checkpointPath, 'utf8')
      .split('\n')
      .forEach((text, index) => {
        if (!text) return;
        checkpoints++;
        const checkpoint = JSON.parse(text) as Checkpoint;
        if (!checkpointValid(signingKey, checkpoint)) problems.push({ file: CHECKPOINT_FILE, line: index + 1, message: `checkpoint at record ${checkpoint.seq} has a bad signature` });
        else if (!hashes.has(checkpoint.seq)) problems.push({ file: CHECKPOINT_FILE, line: index + 1, message: `checkpoint vouches for record ${checkpoint.seq}, which is missing: the trail was cut short` });
        else if (hashes.get(checkpoint.seq) !== checkpoint.hash) problems.push({ file: CHECKPOINT_FILE, line: index + 1, message: `record ${checkpoint.seq} differs from the one the checkpoint signed` });
      });
  }
  return { ok: problems.length === 0, records, lastSeq: expectedSeq - 1, checkpoints, problems };
}
