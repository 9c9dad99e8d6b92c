import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AuditEntry, AuditRecord } from './auditRecord';
import { queueEntry, refusedStage, type AuditStore, type QueuedEntry, type StagedRecord } from './auditStore';
import { writeWitnessedCheckpoint, type AuditWitness } from './auditWitness';
import { claimChainWriter, type ChainWriterClaim } from './chainWriter';
import { DurableAppendFile } from './durableAppendFile';
import { chainBatch, GENESIS_HASH } from './hashChain';
import {
  appendDurably,
  appendDurablyAsync,
  auditFiles,
  CHECKPOINT_FILE,
  fileName,
  lastCheckpointIn,
  OPERATIONS_FILE,
  readOperations,
  recoverTail,
  type StoredOperation,
} from './trailFiles';
import { openWitnessedTrail } from './openWitnessedTrail';

export {
  AUDIT_FILE_PATTERN,
  CHECKPOINT_FILE,
  OPERATIONS_FILE,
  trailTail,
  lastCheckpointIn,
  readOperations,
  auditFiles,
} from './trailFiles';
export type { StoredOperation } from './trailFiles';
export { ADOPT_COMMAND, readoptionRefused } from './openWitnessedTrail';

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
  /**
   * Where every checkpoint is also written, outside the audit folder, before `checkpoints.jsonl`
   * (the log closes it on `close`). The trail gets its id on open if it has none.
   */
  witness?: AuditWitness;
  /** Where a checkpoint that could not be written is reported (it is retried). */
  logger?: Logger;
  /** Told of every batch made durable: its records and how long its write took (the metrics). */
  onBatchDurable?: (records: number, seconds: number) => void;
}

/**
 * The embedded audit store: append-only JSONL files, hash-chained, written in batches with one
 * fsync per batch, rotated by size, with signed checkpoints guarding the tail. `append` resolves
 * only once the record is on disk, so a response is never sent for a request the trail does not
 * hold. After a crash, a half-written last line (never acknowledged) is cut off on open.
 */
export class JsonlAuditLog implements AuditStore {
  private pending: QueuedEntry[] = [];
  private pendingOperations: StoredOperation[] = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private flushing: Promise<void> | undefined;
  private checkpointTimer: NodeJS.Timeout | undefined;
  private checkpointRunning: Promise<void> | undefined;
  /** When the last checkpoint failed (0: it did not): retries then wait for the interval. */
  private checkpointFailedAt = 0;
  private closed = false;

  private constructor(
    readonly dir: string,
    private file: DurableAppendFile,
    private fileBytes: number,
    private seq: number,
    private hash: string,
    private readonly knownOperations: Set<string>,
    private readonly options: Required<Omit<AuditLogOptions, 'witness' | 'logger' | 'onBatchDurable'>> &
      Pick<AuditLogOptions, 'witness' | 'logger' | 'onBatchDurable'>,
    /** The trail's id (`trail.json`), when it is witnessed. */
    readonly trailId: string | undefined,
    /** The last record a checkpoint covers. */
    private checkpointedSeq: number,
    /** This process's claim on the folder: one writer per chain. */
    private readonly writer: ChainWriterClaim,
  ) {}

  static async open(dir: string, options: AuditLogOptions): Promise<JsonlAuditLog> {
    mkdirSync(dir, { recursive: true });
    const writer = claimChainWriter(dir);
    try {
      return await JsonlAuditLog.openClaimed(dir, options, writer);
    } catch (error) {
      writer.release();
      throw error;
    }
  }

  private static async openClaimed(
    dir: string,
    options: AuditLogOptions,
    writer: ChainWriterClaim,
  ): Promise<JsonlAuditLog> {
    const settings = {
      maxFileBytes: 64 * 2 ** 20,
      flushIntervalMs: 0,
      checkpointEvery: 500,
      checkpointIntervalMs: 10_000,
      ...options,
    };
    const files = auditFiles(dir);
    let seq = 0;
    let lastHash = GENESIS_HASH;
    let path = join(dir, fileName(1));
    if (files.length) {
      path = join(dir, files[files.length - 1]!);
      const last =
        recoverTail(path) ?? (files.length > 1 ? recoverTail(join(dir, files[files.length - 2]!)) : undefined);
      if (last) {
        seq = last.seq;
        lastHash = last.hash;
      }
    }
    let lastCheckpoint = lastCheckpointIn(dir);
    let trailId: string | undefined;
    if (settings.witness) {
      const opened = await openWitnessedTrail(
        dir,
        settings.witness,
        settings.signingKey,
        seq,
        lastHash,
        lastCheckpoint,
      );
      trailId = opened.trailId;
      lastCheckpoint = opened.lastCheckpoint;
    }
    const known = new Set(readOperations(dir).map((operation) => operation.hash));
    const file = await DurableAppendFile.open(path);
    const log = new JsonlAuditLog(
      dir,
      file,
      existsSync(path) ? statSync(path).size : 0,
      seq,
      lastHash,
      known,
      settings,
      trailId,
      Math.min(lastCheckpoint?.seq ?? 0, seq),
      writer,
    );
    // Records a crash left uncovered get their checkpoint without waiting for new ones.
    log.scheduleCheckpoint();
    return log;
  }

  /**
   * Queues the entry and resolves with its chained record once it is durable; rejects if the
   * store cannot take it (a full disk, say) — the record is then not in the chain at all. The
   * operation's text, when given, is stored once per hash in the operation store.
   */
  append(entry: AuditEntry, operation?: { text: string; name: string | null }): Promise<AuditRecord> {
    return this.stage(entry, operation).durable;
  }

  stage(entry: AuditEntry, operation?: { text: string; name: string | null }): StagedRecord {
    if (this.closed) return refusedStage(new Error('the audit log is closed'));
    if (operation && entry.kind !== 'grant' && entry.operationHash && !this.knownOperations.has(entry.operationHash)) {
      this.knownOperations.add(entry.operationHash);
      this.pendingOperations.push({
        hash: entry.operationHash,
        name: operation.name,
        firstSeen: entry.time,
        text: operation.text,
      });
    }
    const staged = queueEntry(entry, (waiter) => this.pending.push(waiter));
    this.timer ??=
      this.options.flushIntervalMs > 0
        ? setTimeout(() => void this.flush(), this.options.flushIntervalMs)
        : setImmediate(() => void this.flush());
    return staged;
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
    const chained = chainBatch(
      batch.map(({ entry }) => entry),
      this.seq,
      this.hash,
    );
    const { records, seq, hash } = chained;
    const lines = chained.lines.length ? chained.lines.join('\n') + '\n' : '';
    this.flushing = (async () => {
      try {
        if (operations.length)
          appendDurably(join(this.dir, OPERATIONS_FILE), operations.map((op) => JSON.stringify(op) + '\n').join(''));
        if (lines) {
          const startedAt = performance.now();
          await this.file.append(lines);
          this.options.onBatchDurable?.(batch.length, (performance.now() - startedAt) / 1000);
        }
        this.fileBytes += Buffer.byteLength(lines);
        this.seq = seq;
        this.hash = hash;
        batch.forEach((waiter, i) => waiter.resolve(records[i]!));
        // After the acknowledgements: a slow or unreachable witness never holds a response back.
        this.scheduleCheckpoint();
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
    // The write is under way (started above before the first await): what names the records is made meanwhile.
    batch.forEach((waiter, i) => waiter.chained(records[i]!));
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
      if (record.seq !== seq + 1 || record.prevHash !== hash)
        throw new Error(`record ${record.seq} does not follow record ${seq} of ${this.dir}`);
      seq = record.seq;
      hash = record.hash;
    }
    const lines = records.map((record) => JSON.stringify(record) + '\n').join('');
    try {
      await this.file.append(lines);
    } catch (error) {
      await this.file.truncate(this.fileBytes).catch(() => undefined);
      throw error;
    }
    this.fileBytes += Buffer.byteLength(lines);
    this.seq = seq;
    this.hash = hash;
    this.scheduleCheckpoint();
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

  /** Flushes, writes the shutdown checkpoint (witness first), closes the file and the witness. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    clearTimeout(this.checkpointTimer);
    await this.checkpointRunning;
    try {
      await this.writeCheckpoint();
    } catch (error) {
      // A checkpoint that cannot be written (full disk, witness down) is written by the next run.
      this.options.logger?.error(
        { err: error, witness: this.options.witness?.location },
        'the shutdown audit checkpoint could not be written',
      );
    }
    await this.file.close();
    this.writer.release();
    await this.options.witness?.close();
  }

  /**
   * Checkpoints now when enough records are uncovered, otherwise within the interval. At most one
   * checkpoint is written at a time, so the witness and the file receive them in the same order.
   */
  private scheduleCheckpoint(): void {
    if (this.closed || this.checkpointRunning || this.seq <= this.checkpointedSeq) return;
    const due =
      this.seq - this.checkpointedSeq >= this.options.checkpointEvery &&
      Date.now() - this.checkpointFailedAt >= this.options.checkpointIntervalMs;
    if (due) void this.checkpoint();
    else this.checkpointTimer ??= setTimeout(() => void this.checkpoint(), this.options.checkpointIntervalMs).unref();
  }

  private checkpoint(): Promise<void> {
    clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
    this.checkpointRunning ??= this.writeCheckpoint()
      .then(
        () => {
          this.checkpointFailedAt = 0;
        },
        (error: unknown) => {
          this.checkpointFailedAt = Date.now();
          this.options.logger?.error(
            { err: error, witness: this.options.witness?.location },
            'audit checkpoint not written; retrying',
          );
        },
      )
      .finally(() => {
        this.checkpointRunning = undefined;
        this.scheduleCheckpoint();
      });
    return this.checkpointRunning;
  }

  /** A signed statement of the durable tail, so cutting records off the end is detected (`writeWitnessedCheckpoint`: witness first). */
  private async writeCheckpoint(): Promise<void> {
    const { seq, hash } = this;
    if (seq <= this.checkpointedSeq) return;
    await writeWitnessedCheckpoint(
      this.options.signingKey,
      this.options.witness,
      this.trailId,
      { seq, hash },
      (checkpoint) => appendDurablyAsync(join(this.dir, CHECKPOINT_FILE), JSON.stringify(checkpoint) + '\n'),
    );
    this.checkpointedSeq = Math.max(this.checkpointedSeq, seq);
  }

  private async rotate(): Promise<void> {
    await this.file.close();
    this.file = await DurableAppendFile.open(join(this.dir, fileName(this.seq + 1)));
    this.fileBytes = 0;
  }
}
