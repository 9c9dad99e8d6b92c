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

/** The records of one HTTP request's operations (several for a batch, one per page of a paged export). */
export class AuditedRecords {
  private readonly records: AuditedRecord[] = [];

  add(record: AuditedRecord): void {
    this.records.push(record);
  }

  get all(): readonly AuditedRecord[] {
    return this.records;
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
export function auditedRecordsIfAny(request: object): readonly AuditedRecord[] {
  return ofRequest.get(request)?.all ?? [];
}
