/**
 * An audit record an answer of this HTTP request was written under: what a receipt names. The
 * audit stage is the one writer; the receipt hook reads them once the answer is final.
 */
export interface AuditedRecord {
  /** The chain it is on (`AUDIT_INSTANCE`, per worker). */
  readonly instance: string;
  readonly seq: number;
  readonly hash: string;
  readonly consumer: string;
  readonly purpose: string | null;
  readonly case: string | null;
  readonly grants: readonly string[];
  readonly policyVersion: string | null;
  readonly supergraphVersion: string;
}

/** A record on its way to the trail while the answer is finished (serialised, signed) meanwhile. */
export interface PendingRecord {
  /** The record once its place in the chain is fixed, before it is durable; undefined if it never will be. */
  readonly chained: Promise<AuditedRecord | undefined>;
  /** True once durable; false when the write failed or missed the audit's deadline. */
  readonly durable: Promise<boolean>;
}

/**
 * The records of one HTTP request's operations (several for a batch, one per page of a paged
 * export). The audit stage leaves each record pending; the last hook before the answer's bytes go
 * out waits until every one is durable (`allDurable`), so the answer's remaining work overlaps
 * the write instead of following it.
 */
export class AuditedRecords {
  private readonly pending: PendingRecord[] = [];

  /** A record being written for an operation of this request. */
  expect(record: PendingRecord): void {
    this.pending.push(record);
  }

  /** A record already durable (a page of an export, answered by a request of its own). */
  add(record: AuditedRecord): void {
    this.pending.push({ chained: Promise.resolve(record), durable: Promise.resolve(true) });
  }

  get any(): boolean {
    return this.pending.length > 0;
  }

  /** Every record with its place in the chain; undefined when one will never be written. */
  async chained(): Promise<readonly AuditedRecord[] | undefined> {
    // Almost every request has one record: no Promise.all (and its arrays) for it.
    if (this.pending.length === 1) {
      const record = await this.pending[0]!.chained;
      return record ? [record] : undefined;
    }
    const records = await Promise.all(this.pending.map((record) => record.chained));
    return records.every((record): record is AuditedRecord => record !== undefined) ? records : undefined;
  }

  /** Whether every record is durable, once each is or has failed. */
  async allDurable(): Promise<boolean> {
    if (this.pending.length === 1) return this.pending[0]!.durable;
    return (await Promise.all(this.pending.map((record) => record.durable))).every(Boolean);
  }
}

const ofRequest = new WeakMap<object, AuditedRecords>();

/** The records of a request (a Fastify request): made on first use, gone with the request. */
export function auditedRecordsOf(request: object): AuditedRecords {
  let records = ofRequest.get(request);
  if (!records) ofRequest.set(request, (records = new AuditedRecords()));
  return records;
}

/** The records of a request if any was written, without making an empty list. */
export function auditedRecordsIfAny(request: object): AuditedRecords | undefined {
  const records = ofRequest.get(request);
  return records?.any ? records : undefined;
}
