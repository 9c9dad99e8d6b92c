import {
  appendFileSync,
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
  truncateSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditRecord } from './auditRecord';
import { GENESIS_HASH, type Checkpoint } from './hashChain';

/** The audit trail's files in AUDIT_DIR: their names, durable appends, and reading their tail back. */

export const AUDIT_FILE_PATTERN = /^audit-(\d{12})\.jsonl$/;
export const CHECKPOINT_FILE = 'checkpoints.jsonl';
export const OPERATIONS_FILE = 'operations.jsonl';

/** The last complete record's seq and hash in `dir`, read only (0 and the genesis hash when none). */
export function trailTail(dir: string): { seq: number; hash: string } {
  for (const file of auditFiles(dir).reverse()) {
    const lines = readFileSync(join(dir, file), 'utf8').split('\n');
    // A last line without its newline was torn by a crash and never acknowledged.
    for (let i = lines.length - 2; i >= 0; i--) {
      if (!lines[i]) continue;
      const record = JSON.parse(lines[i]!) as AuditRecord;
      return { seq: record.seq, hash: record.hash };
    }
  }
  return { seq: 0, hash: GENESIS_HASH };
}

/** The last checkpoint in `checkpoints.jsonl` (read from the file's end), if any. */
export function lastCheckpointIn(dir: string): Checkpoint | undefined {
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path)) return undefined;
  const size = statSync(path).size;
  const length = Math.min(size, 64 * 1024);
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n').filter(Boolean);
    for (let i = lines.length - 1; i >= 0; i--) {
      try {
        return JSON.parse(lines[i]!) as Checkpoint;
      } catch {
        // a torn line after a crash
      }
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** An operation's text, kept once per hash; the audit records name it by hash. */
export interface StoredOperation {
  hash: string;
  name: string | null;
  firstSeen: string;
  text: string;
}

/** The operation store: every distinct operation the trail's records name, with its text. */
export function readOperations(dir: string): StoredOperation[] {
  const path = join(dir, OPERATIONS_FILE);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        return line ? [JSON.parse(line) as StoredOperation] : [];
      } catch {
        return []; // a torn last line after a crash; its operation is stored again when next seen
      }
    });
}

export function appendDurably(path: string, text: string): void {
  const fd = openSync(path, 'a+');
  try {
    // A line a crash tore was never acknowledged: begin on a fresh line so the new one parses.
    const size = fstatSync(fd).size;
    const endsLine =
      size === 0 ||
      (() => {
        const last = Buffer.alloc(1);
        readSync(fd, last, 0, 1, size - 1);
        return last[0] === 0x0a;
      })();
    appendFileSync(fd, endsLine ? text : `\n${text}`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** `appendDurably` without blocking the event loop: each checkpoint fsyncs on the disk's time. */
export async function appendDurablyAsync(path: string, text: string): Promise<void> {
  const handle = await open(path, 'a+');
  try {
    const { size } = await handle.stat();
    const endsLine = size === 0 || (await handle.read(Buffer.alloc(1), 0, 1, size - 1)).buffer[0] === 0x0a;
    await handle.write(endsLine ? text : `\n${text}`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function fileName(firstSeq: number): string {
  return `audit-${String(firstSeq).padStart(12, '0')}.jsonl`;
}

export function auditFiles(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => AUDIT_FILE_PATTERN.test(f))
        .sort()
    : [];
}

/** The last complete record of a file; a torn last line is cut off (it was never acknowledged). */
export function recoverTail(path: string): AuditRecord | undefined {
  if (!statSync(path).isFile()) return undefined; // e.g. a device standing in for a disk in tests
  const text = readFileSync(path, 'utf8');
  const end = text.lastIndexOf('\n');
  if (end + 1 < text.length) truncateSync(path, Buffer.byteLength(text.slice(0, end + 1)));
  const lines = text
    .slice(0, end + 1)
    .split('\n')
    .filter(Boolean);
  const last = lines[lines.length - 1];
  return last ? (JSON.parse(last) as AuditRecord) : undefined;
}
