import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { redisDurabilityProblems } from '../stores';
import type { AuditEntry, AuditRecord } from './auditRecord';
import { queueEntry, refusedStage, type AuditStore, type QueuedEntry, type StagedRecord } from './auditStore';
import { writeWitnessedCheckpoint, type AuditWitness } from './auditWitness';
import { chainBatch, GENESIS_HASH, signCheckpoint } from './hashChain';
import type { StoredOperation } from './jsonlAuditLog';

/** Redis keys of one gateway's trail. Hash tags keep them in one Cluster slot. */
export function auditKeys(instance: string) {
  const base = `cdo-hub:audit:{${instance}}`;
  return {
    records: `${base}:records`,
    checkpoints: `${base}:checkpoints`,
    operations: `${base}:operations`,
    meta: `${base}:meta`,
    writer: `${base}:writer`,
  };
}

export interface RedisAuditOptions {
  signingKey: string;
  /** This gateway's name: each gateway writes its own stream (one writer per chain). */
  instance: string;
  /** Accept `appendfsync everysec` (a host crash may lose the last second). Default: only `always`. */
  allowEverysec?: boolean;
  checkpointEvery?: number;
  checkpointIntervalMs?: number;
  /** How long to wait for a previous writer's lease to lapse (a gateway killed without closing). */
  leaseWaitMs?: number;
  /**
   * Where every checkpoint is also written, before the checkpoint stream (the log closes it). The
   * stream's trail id is kept in its meta hash; `hub audit archive` checks the stream against it.
   */
  witness?: AuditWitness;
  logger?: Logger;
  /** Told of every batch made durable: its records and how long its transaction took (the metrics). */
  onBatchDurable?: (records: number, seconds: number) => void;
}

/** The meta field holding the stream's trail id (its witness's key). */
export const STREAM_TRAIL_ID = 'trail-id';

const LEASE_MS = 15_000;

/**
 * The audit trail on a Redis Stream (`AUDIT_REDIS_URL`), on a Redis of its own — never the cache's.
 * The gateway refuses a server whose settings could drop records. Records are chained here, as in
 * the file store, and written in batches inside MULTI/EXEC; a batch is acknowledged once Redis has
 * it in its fsynced append-only file. One gateway writes one stream (a lease key guards it);
 * `hub audit archive` moves records to the JSONL files, where `hub audit verify` and reports read
 * them, and trims what it archived.
 */
export class RedisStreamAuditLog implements AuditStore {
  private pending: (QueuedEntry & { operation?: StoredOperation })[] = [];
  private timer: NodeJS.Immediate | undefined;
  private flushing: Promise<void> | undefined;
  private checkpointTimer: NodeJS.Timeout | undefined;
  private checkpointRunning: Promise<void> | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private knownOperations = new Set<string>();
  private closed = false;

  private constructor(
    private readonly redis: Redis,
    private readonly keys: ReturnType<typeof auditKeys>,
    private readonly leaseId: string,
    private seq: number,
    private hash: string,
    private readonly options: Required<Omit<RedisAuditOptions, 'logger' | 'witness' | 'onBatchDurable'>> &
      Pick<RedisAuditOptions, 'logger' | 'witness' | 'onBatchDurable'>,
    /** The stream's trail id, when it is witnessed. */
    readonly trailId: string | undefined,
    /** The last record a checkpoint covers. */
    private checkpointedSeq: number,
  ) {}

  static async open(url: string, options: RedisAuditOptions): Promise<RedisStreamAuditLog> {
    const settings = {
      allowEverysec: false,
      checkpointEvery: 500,
      checkpointIntervalMs: 10_000,
      leaseWaitMs: LEASE_MS + 1000,
      ...options,
    };
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, connectTimeout: 5000 });
    redis.on('error', (error) => options.logger?.warn({ err: error }, 'audit Redis connection error'));
    try {
      await redis.connect();
      const problems = await redisDurabilityProblems(redis, settings.allowEverysec);
      if (problems.length)
        throw new Error(`the audit Redis at ${redact(url)} could lose records:\n  ${problems.join('\n  ')}`);
      const keys = auditKeys(settings.instance);
      const leaseId = randomUUID();
      const deadline = Date.now() + settings.leaseWaitMs;
      while ((await redis.set(keys.writer, leaseId, 'PX', LEASE_MS, 'NX')) !== 'OK') {
        if (Date.now() > deadline)
          throw new Error(
            `another gateway writes the audit stream of instance "${settings.instance}"; give each gateway its own AUDIT_INSTANCE`,
          );
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      // The stream keeps its last record even after archiving, so the chain carries on.
      const last = (await redis.xrevrange(keys.records, '+', '-', 'COUNT', 1)) as [string, string[]][];
      const record = last[0] ? (JSON.parse(last[0][1][1]!) as AuditRecord) : undefined;
      const trailId = settings.witness
        ? await openWitnessedStream(
            redis,
            keys,
            settings.witness,
            settings.signingKey,
            record?.seq ?? 0,
            record?.hash ?? GENESIS_HASH,
          )
        : undefined;
      const lastCheckpoint = (await redis.xrevrange(keys.checkpoints, '+', '-', 'COUNT', 1)) as [string, string[]][];
      const checkpointedSeq = lastCheckpoint[0] ? (JSON.parse(lastCheckpoint[0][1][1]!) as { seq: number }).seq : 0;
      const log = new RedisStreamAuditLog(
        redis,
        keys,
        leaseId,
        record?.seq ?? 0,
        record?.hash ?? GENESIS_HASH,
        settings,
        trailId,
        Math.min(checkpointedSeq, record?.seq ?? 0),
      );
      log.renewLease();
      // Records a crash left uncovered get their checkpoint without waiting for new ones.
      if (log.seq > log.checkpointedSeq)
        log.checkpointTimer = setTimeout(() => void log.checkpoint(), settings.checkpointIntervalMs).unref();
      return log;
    } catch (error) {
      redis.disconnect();
      throw error;
    }
  }

  get location(): string {
    return this.keys.records;
  }

  get lastSeq(): number {
    return this.seq;
  }

  append(entry: AuditEntry, operation?: { text: string; name: string | null }): Promise<AuditRecord> {
    return this.stage(entry, operation).durable;
  }

  stage(entry: AuditEntry, operation?: { text: string; name: string | null }): StagedRecord {
    if (this.closed) return refusedStage(new Error('the audit log is closed'));
    let stored: StoredOperation | undefined;
    if (operation && entry.kind !== 'grant' && entry.operationHash && !this.knownOperations.has(entry.operationHash)) {
      this.knownOperations.add(entry.operationHash);
      stored = { hash: entry.operationHash, name: operation.name, firstSeen: entry.time, text: operation.text };
    }
    const staged = queueEntry(entry, (waiter) => this.pending.push(stored ? { ...waiter, operation: stored } : waiter));
    this.timer ??= setImmediate(() => void this.flush());
    return staged;
  }

  async flush(): Promise<void> {
    if (this.timer) clearImmediate(this.timer);
    this.timer = undefined;
    while (this.flushing) await this.flushing;
    if (!this.pending.length) return;
    const batch = this.pending;
    this.pending = [];
    const { records, lines, seq, hash } = chainBatch(
      batch.map(({ entry }) => entry),
      this.seq,
      this.hash,
    );
    this.flushing = (async () => {
      try {
        const multi = this.redis.multi();
        for (const line of lines) multi.xadd(this.keys.records, '*', 'r', line);
        for (const { operation } of batch)
          if (operation) multi.hsetnx(this.keys.operations, operation.hash, JSON.stringify(operation));
        const startedAt = performance.now();
        const replies = await multi.exec();
        const failed = replies?.find(([error]) => error);
        if (!replies || failed) throw failed?.[0] ?? new Error('the audit Redis transaction was aborted');
        this.options.onBatchDurable?.(batch.length, (performance.now() - startedAt) / 1000);
        this.seq = seq;
        this.hash = hash;
        batch.forEach((waiter, i) => waiter.resolve(records[i]!));
        // Not awaited: a slow witness never holds the next batch back.
        if (this.seq - this.checkpointedSeq >= this.options.checkpointEvery) void this.checkpoint();
        else
          this.checkpointTimer ??= setTimeout(() => void this.checkpoint(), this.options.checkpointIntervalMs).unref();
      } catch (error) {
        for (const { operation } of batch) if (operation) this.knownOperations.delete(operation.hash);
        for (const waiter of batch) waiter.reject(error as Error);
      } finally {
        this.flushing = undefined;
      }
    })();
    // The transaction is on its way (sent above before the first await): what names the records is made meanwhile.
    batch.forEach((waiter, i) => waiter.chained(records[i]!));
    await this.flushing;
    if (this.pending.length) await this.flush();
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    clearTimeout(this.leaseTimer);
    clearTimeout(this.checkpointTimer);
    try {
      await this.checkpointRunning;
      await this.writeCheckpoint().catch((error) =>
        this.options.logger?.error({ err: error }, 'the shutdown audit checkpoint could not be written'),
      );
      // Release the lease only if it is still ours.
      await this.redis.eval(
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
        1,
        this.keys.writer,
        this.leaseId,
      );
    } finally {
      this.redis.disconnect();
      await this.options.witness?.close();
    }
  }

  async getMeta(name: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.meta, name)) ?? undefined;
  }

  async setMeta(name: string, value: string): Promise<void> {
    await this.redis.hset(this.keys.meta, name, value);
  }

  /** One checkpoint at a time, so the witness and the stream receive them in the same order. */
  private checkpoint(): Promise<void> {
    clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
    this.checkpointRunning ??= this.writeCheckpoint()
      .catch((error: unknown) =>
        this.options.logger?.error({ err: error }, 'audit checkpoint not written; retried with the next records'),
      )
      .finally(() => {
        this.checkpointRunning = undefined;
        // Records that arrived meanwhile (or a checkpoint that failed) are covered within the interval.
        if (!this.closed && this.seq > this.checkpointedSeq)
          this.checkpointTimer ??= setTimeout(() => void this.checkpoint(), this.options.checkpointIntervalMs).unref();
      });
    return this.checkpointRunning;
  }

  /** To the witness first, then to the checkpoint stream (`writeWitnessedCheckpoint`). */
  private async writeCheckpoint(): Promise<void> {
    const { seq, hash } = this;
    if (seq <= this.checkpointedSeq) return;
    await writeWitnessedCheckpoint(
      this.options.signingKey,
      this.options.witness,
      this.trailId,
      { seq, hash },
      (checkpoint) => this.redis.xadd(this.keys.checkpoints, '*', 'c', JSON.stringify(checkpoint)),
    );
    this.checkpointedSeq = Math.max(this.checkpointedSeq, seq);
  }

  private renewLease(): void {
    this.leaseTimer = setTimeout(async () => {
      if (this.closed) return;
      try {
        const renewed = await this.redis.eval(
          "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0",
          1,
          this.keys.writer,
          this.leaseId,
          LEASE_MS,
        );
        if (renewed !== 1)
          this.options.logger?.error(
            { instance: this.options.instance },
            'lost the audit stream lease: another gateway may write this instance',
          );
      } catch (error) {
        this.options.logger?.warn({ err: error }, 'could not renew the audit stream lease');
      }
      this.renewLease();
    }, LEASE_MS / 3).unref();
  }
}

/**
 * The stream's trail id from its meta hash, or a new one — its witness's first entry written
 * before the id is stored, as for the files. A stream written before trails had ids is adopted
 * at its last record.
 */
async function openWitnessedStream(
  redis: Redis,
  keys: ReturnType<typeof auditKeys>,
  witness: AuditWitness,
  signingKey: string,
  seq: number,
  hash: string,
): Promise<string> {
  const known = await redis.hget(keys.meta, STREAM_TRAIL_ID);
  if (known) {
    if (!(await witness.last(known))) {
      throw new Error(
        `the audit witness at ${witness.location} holds nothing for trail ${known} of ${keys.records}: set AUDIT_WITNESS_DIR or AUDIT_WITNESS_REDIS_URL to the witness this stream was written with`,
      );
    }
    return known;
  }
  const trailId = randomUUID();
  await witness.append({
    ...signCheckpoint(signingKey, seq, hash, new Date().toISOString(), trailId),
    trailId,
    opened: { location: keys.records },
  });
  await redis.hset(keys.meta, STREAM_TRAIL_ID, trailId);
  return trailId;
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
