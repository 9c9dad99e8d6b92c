import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditEntry, AuditRecord } from './auditRecord';
import { chainRecord, GENESIS_HASH, signCheckpoint } from './hashChain';

export interface AuditLogOptions {
  /** Key that signs the checkpoints (the hub's subgraph signing key family of secrets). */
  signingKey: string;
  /** Start a new file past this size. */
  maxFileBytes?: number;
  /**
   * How long records wait to be written together. 0 (default): group commit — the first record
   * is written on the next tick, and records arriving during a write go out in the next batch.
   */
  flushIntervalMs?: number;
  /** Write a signed checkpoint after this many records. */
  checkpointEvery?: number;
}

export const AUDIT_FILE_PATTERN = /^audit-(\d{12})\.jsonl$/;
export const CHECKPOINT_FILE = 'checkpoints.jsonl';

/**
 * The embedded audit store: append-only JSONL files, hash-chained, written in batches with one
 * fsync per batch, rotated by size, with signed checkpoints guarding the tail. `append` resolves
 * only once the record is on disk, so a response is never sent for a request the trail does not
 * hold. After a crash, a half-written last line (never acknowledged) is cut off on open.
 */
export class JsonlAuditLog {
  private buffer: string[] = [];
  private waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private flushing: Promise<void> | undefined;
  private sinceCheckpoint = 0;
  private closed = false;

  private constructor(
    readonly dir: string,
    private file: FileHandle,
    private fileBytes: number,
    private seq: number,
    private lastHash: string,
    private readonly options: Required<AuditLogOptions>,
  ) {}

  static async open(dir: string, options: AuditLogOptions): Promise<JsonlAuditLog> {
    mkdirSync(dir, { recursive: true });
    const settings: Required<AuditLogOptions> = { maxFileBytes: 64 * 2 ** 20, flushIntervalMs: 0, checkpointEvery: 500, ...options };
    const files = auditFiles(dir);
    let seq = 0;
    let lastHash = GENESIS_HASH;
    let path = join(dir, fileName(1));
    if (files.length) {
      path = join(dir, files[files.length - 1]!);
      const last = recoverTail(path) ?? (files.length > 1 ? recoverTail(join(dir, files[files.length - 2]!)) : undefined);
      if (last) {
        seq = last.seq;
        lastHash = last.hash;
      }
    }
    const file = await open(path, 'a');
    return new JsonlAuditLog(dir, file, existsSync(path) ? statSync(path).size : 0, seq, lastHash, settings);
  }

  /** Chains the entry and resolves once it is durable. */
  append(entry: AuditEntry): Promise<AuditRecord> {
    if (this.closed) return Promise.reject(new Error('the audit log is closed'));
    const record = chainRecord(entry, this.seq + 1, this.lastHash);
    this.seq = record.seq;
    this.lastHash = record.hash;
    this.buffer.push(JSON.stringify(record) + '\n');
    const durable = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.timer ??= this.options.flushIntervalMs > 0 ? setTimeout(() => void this.flush(), this.options.flushIntervalMs) : setImmediate(() => void this.flush());
    return durable.then(() => record);
  }

  /** Writes and fsyncs everything appended so far. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
    }
    this.timer = undefined;
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    const lines = this.buffer.join('');
    const waiters = this.waiters;
    const count = this.buffer.length;
    this.buffer = [];
    this.waiters = [];
    this.flushing = (async () => {
      try {
        await this.file.write(lines);
        await this.file.datasync();
        this.fileBytes += Buffer.byteLength(lines);
        this.sinceCheckpoint += count;
        if (this.sinceCheckpoint >= this.options.checkpointEvery) this.checkpoint();
        for (const waiter of waiters) waiter.resolve();
        if (this.fileBytes >= this.options.maxFileBytes) await this.rotate();
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error as Error);
      } finally {
        this.flushing = undefined;
      }
    })();
    await this.flushing;
    if (this.buffer.length) await this.flush();
  }

  get lastSeq(): number {
    return this.seq;
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.seq > 0) this.checkpoint();
    await this.file.close();
  }

  /** A signed statement of the durable tail, so cutting records off the end is detected. */
  private checkpoint(): void {
    const line = JSON.stringify(signCheckpoint(this.options.signingKey, this.seq, this.lastHash, new Date().toISOString())) + '\n';
    const fd = openSync(join(this.dir, CHECKPOINT_FILE), 'a');
    try {
      appendFileSync(fd, line);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.sinceCheckpoint = 0;
  }

  private async rotate(): Promise<void> {
    await this.file.close();
    this.file = await open(join(this.dir, fileName(this.seq + 1)), 'a');
    this.fileBytes = 0;
  }
}

function fileName(firstSeq: number): string {
  return `audit-${String(firstSeq).padStart(12, '0')}.jsonl`;
}

export function auditFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => AUDIT_FILE_PATTERN.test(f)).sort() : [];
}

/** The last complete record of a file; a torn last line is cut off (it was never acknowledged). */
function recoverTail(path: string): AuditRecord | undefined {
  const text = readFileSync(path, 'utf8');
  const end = text.lastIndexOf('\n');
  if (end + 1 < text.length) truncateSync(path, Buffer.byteLength(text.slice(0, end + 1)));
  const lines = text.slice(0, end + 1).split('\n').filter(Boolean);
  const last = lines[lines.length - 1];
  return last ? (JSON.parse(last) as AuditRecord) : undefined;
}
