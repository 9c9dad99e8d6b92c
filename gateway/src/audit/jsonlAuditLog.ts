import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditEntry, AuditRecord } from './auditRecord';
import type { AuditStore } from './auditStore';
import { chainBatch, GENESIS_HASH, signCheckpoint } from './hashChain';

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
  /** Write a signed checkpoint after this many records… */
  checkpointEvery?: number;
  /** …or this long after the first record not yet covered by one. */
  checkpointIntervalMs?: number;
}

export const AUDIT_FILE_PATTERN = /^audit-(\d{12})\.jsonl$/;
export const CHECKPOINT_FILE = 'checkpoints.jsonl';
export const OPERATIONS_FILE = 'operations.jsonl';

/**
 * The embedded audit store: append-only JSONL files, hash-chained, written in batches with one
 * fsync per batch, rotated by size, with signed checkpoints guarding the tail. `append` resolves
 * only once the record is on disk, so a response is never sent for a request the trail does not
 * hold. After a crash, a half-written last line (never acknowledged) is cut off on open.
 */
export class JsonlAuditLog implements AuditStore {
  private pending: { entry: AuditEntry; resolve: (record: AuditRecord) => void; reject: (error: Error) => void }[] = [];
  private pendingOperations: StoredOperation[] = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private flushing: Promise<void> | undefined;
  private sinceCheckpoint = 0;
  private checkpointTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    readonly dir: string,
    private file: FileHandle,
    private fileBytes: number,
    private seq: number,
    private hash: string,
    private readonly knownOperations: Set<string>,
    private readonly options: Required<AuditLogOptions>,
  ) {}

  static async open(dir: string, options: AuditLogOptions): Promise<JsonlAuditLog> {
    mkdirSync(dir, { recursive: true });
    const settings: Required<AuditLogOptions> = { maxFileBytes: 64 * 2 ** 20, flushIntervalMs: 0, checkpointEvery: 500, checkpointIntervalMs: 10_000, ...options };
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
    const known = new Set(readOperations(dir).map((operation) => operation.hash));
    const file = await open(path, 'a');
    return new JsonlAuditLog(dir, file, existsSync(path) ? statSync(path).size : 0, seq, lastHash, known, settings);
  }

  /**
   * Queues the entry and resolves with its chained record once it is durable; rejects if the
   * store cannot take it (a full disk, say) — the record is then not in the chain at all. The
   * operation's text, when given, is stored once per hash in the operation store.
   */
  append(entry: AuditEntry, operation?: { text: string; name: string | null }): Promise<AuditRecord> {
    if (this.closed) return Promise.reject(new Error('the audit log is closed'));
    if (operation && entry.kind !== 'grant' && entry.operationHash && !this.knownOperations.has(entry.operationHash)) {
      this.knownOperations.add(entry.operationHash);
      this.pendingOperations.push({ hash: entry.operationHash, name: operation.name, firstSeen: entry.time, text: operation.text });
    }
    const durable = new Promise<AuditRecord>((resolve, reject) => this.pending.push({ entry, resolve, reject }));
    this.timer ??= this.options.flushIntervalMs > 0 ? setTimeout(() => void this.flush(), this.options.flushIntervalMs) : setImmediate(() => void this.flush());
    return durable;
  }

  /** Writes and fsyncs everything appended so far. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
    }
    this.timer = undefined;
    while (this.flushing) await this.flushing;
    if (this.pending.length === 0 && this.pendingOperations.length === 0) return;
    const batch = this.pending;
    const operations = this.pendingOperations;
    this.pending = [];
    this.pendingOperations = [];
    // Chained only here, at write time: a batch that fails leaves no gap in the chain.
    const { records, seq, hash } = chainBatch(batch.map(({ entry }) => entry), this.seq, this.hash);
    const lines = records.map((record) => JSON.stringify(record) + '\n').join('');
    this.flushing = (async () => {
      try {
        if (operations.length) appendDurably(join(this.dir, OPERATIONS_FILE), operations.map((op) => JSON.stringify(op) + '\n').join(''));
        if (lines) {
          await this.file.write(lines);
          await this.file.datasync();
        }
        this.fileBytes += Buffer.byteLength(lines);
        this.seq = seq;
        this.hash = hash;
        this.sinceCheckpoint += records.length;
        if (this.sinceCheckpoint >= this.options.checkpointEvery) this.checkpoint();
        else this.checkpointTimer ??= setTimeout(() => this.timedCheckpoint(), this.options.checkpointIntervalMs).unref();
        batch.forEach((waiter, i) => waiter.resolve(records[i]!));
        if (this.fileBytes >= this.options.maxFileBytes) await this.rotate();
      } catch (error) {
        // Cut off whatever part of the batch reached the file, so the next batch chains cleanly.
        await this.file.truncate(this.fileBytes).catch(() => undefined);
        for (const operation of operations) this.knownOperations.delete(operation.hash);
        for (const waiter of batch) waiter.reject(error as Error);
      } finally {
        this.flushing = undefined;
      }
    })();
    await this.flushing;
    if (this.pending.length) await this.flush();
  }

  get lastSeq(): number {
    return this.seq;
  }

  get lastHash(): string {
    return this.hash;
  }

  get location(): string {
    return this.dir;
  }

  /**
   * Appends records chained elsewhere (the Redis Stream archiver), as they are: each must follow
   * the last record here. Resolves once they are on disk.
   */
  async appendChained(records: readonly AuditRecord[]): Promise<void> {
    if (!records.length) return;
    await this.flush();
    let seq = this.seq;
    let hash = this.hash;
    for (const record of records) {
      if (record.seq !== seq + 1 || record.prevHash !== hash) throw new Error(`record ${record.seq} does not follow record ${seq} of ${this.dir}`);
      seq = record.seq;
      hash = record.hash;
    }
    const lines = records.map((record) => JSON.stringify(record) + '\n').join('');
    try {
      await this.file.write(lines);
      await this.file.datasync();
    } catch (error) {
      await this.file.truncate(this.fileBytes).catch(() => undefined);
      throw error;
    }
    this.fileBytes += Buffer.byteLength(lines);
    this.seq = seq;
    this.hash = hash;
    this.sinceCheckpoint += records.length;
    if (this.sinceCheckpoint >= this.options.checkpointEvery) this.checkpoint();
    if (this.fileBytes >= this.options.maxFileBytes) await this.rotate();
  }

  /** Adds operation texts not stored yet (the archiver copies them from Redis). */
  storeOperations(operations: readonly StoredOperation[]): void {
    const fresh = operations.filter((op) => !this.knownOperations.has(op.hash));
    if (!fresh.length) return;
    appendDurably(join(this.dir, OPERATIONS_FILE), fresh.map((op) => JSON.stringify(op) + '\n').join(''));
    for (const op of fresh) this.knownOperations.add(op.hash);
  }

  async getMeta(name: string): Promise<string | undefined> {
    const path = join(this.dir, `${name}.meta`);
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  }

  async setMeta(name: string, value: string): Promise<void> {
    const path = join(this.dir, `${name}.meta`);
    writeFileSync(`${path}.tmp`, value);
    renameSync(`${path}.tmp`, path);
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    clearTimeout(this.checkpointTimer);
    if (this.seq > 0) {
      try {
        this.checkpoint();
      } catch {
        // A checkpoint that cannot be written (full disk) is written by the next run.
      }
    }
    await this.file.close();
  }

  private timedCheckpoint(): void {
    this.checkpointTimer = undefined;
    if (this.closed || this.sinceCheckpoint === 0) return;
    try {
      this.checkpoint();
    } catch {
      // retried after the next batch
    }
  }

  /** A signed statement of the durable tail, so cutting records off the end is detected. */
  private checkpoint(): void {
    clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
    appendDurably(join(this.dir, CHECKPOINT_FILE), JSON.stringify(signCheckpoint(this.options.signingKey, this.seq, this.hash, new Date().toISOString())) + '\n');
    this.sinceCheckpoint = 0;
  }

  private async rotate(): Promise<void> {
    await this.file.close();
    this.file = await open(join(this.dir, fileName(this.seq + 1)), 'a');
    this.fileBytes = 0;
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

function appendDurably(path: string, text: string): void {
  const fd = openSync(path, 'a');
  try {
    appendFileSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
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
  if (!statSync(path).isFile()) return undefined; // e.g. a device standing in for a disk in tests
  const text = readFileSync(path, 'utf8');
  const end = text.lastIndexOf('\n');
  if (end + 1 < text.length) truncateSync(path, Buffer.byteLength(text.slice(0, end + 1)));
  const lines = text.slice(0, end + 1).split('\n').filter(Boolean);
  const last = lines[lines.length - 1];
  return last ? (JSON.parse(last) as AuditRecord) : undefined;
}
