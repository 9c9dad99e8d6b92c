import type { AuditEntry, AuditRecord } from './auditRecord';

/**
 * Where the gateway writes its audit trail: the embedded JSONL files, or a Redis Stream
 * (`AUDIT_REDIS_URL`). Either way a record is chained to the one before it and `append` resolves
 * only once the record is durable.
 */
export interface AuditStore {
  /** Where the records go, for messages. */
  readonly location: string;
  readonly lastSeq: number;
  /** Chains the entry and resolves once it is durable; rejects if the store cannot take it. */
  append(entry: AuditEntry, operation?: { text: string; name: string | null }): Promise<AuditRecord>;
  /**
   * `append`, also telling the record's place in the chain as soon as its batch is chained, while
   * the batch's write is still under way: what names the record (an answer's receipt) is made
   * during the write instead of after it. Nothing naming the record may leave before `durable`.
   */
  stage(entry: AuditEntry, operation?: { text: string; name: string | null }): StagedRecord;
  flush(): Promise<void>;
  close(): Promise<void>;
  /** Small named values kept with the trail (e.g. how far grant events were audited). */
  getMeta(name: string): Promise<string | undefined>;
  setMeta(name: string, value: string): Promise<void>;
}

/** An appended record on its way: `chained` once its seq and hash are fixed, `durable` once written. */
export interface StagedRecord {
  /** Rejects, like `durable`, if the batch fails before it was chained; a chained record whose write then fails is void. */
  readonly chained: Promise<AuditRecord>;
  readonly durable: Promise<AuditRecord>;
}

/** One appended entry waiting in a store's queue for its batch. */
export interface QueuedEntry {
  readonly entry: AuditEntry;
  chained(record: AuditRecord): void;
  resolve(record: AuditRecord): void;
  reject(error: Error): void;
}

/** Queues an entry (the stores' `stage`): the waiter goes into `queue`, its promises come back. */
export function queueEntry(entry: AuditEntry, queue: (waiter: QueuedEntry) => void): StagedRecord {
  let chained!: (record: AuditRecord) => void;
  let failChained!: (error: Error) => void;
  const whenChained = new Promise<AuditRecord>((resolve, reject) => {
    chained = resolve;
    failChained = reject;
  });
  // A caller that waits only for `durable` must not leave this rejection unhandled.
  whenChained.catch(() => undefined);
  const durable = new Promise<AuditRecord>((resolve, reject) =>
    queue({
      entry,
      chained,
      resolve,
      reject: (error) => {
        failChained(error);
        reject(error);
      },
    }),
  );
  return { chained: whenChained, durable };
}

/** What `stage` answers a closed store. */
export function refusedStage(error: Error): StagedRecord {
  const refused = Promise.reject(error);
  // Handled once here: a caller that waits for only one of the two does not leave the other unhandled.
  refused.catch(() => undefined);
  return { chained: refused, durable: refused };
}
