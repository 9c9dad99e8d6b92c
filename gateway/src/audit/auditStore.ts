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
  flush(): Promise<void>;
  close(): Promise<void>;
  /** Small named values kept with the trail (e.g. how far grant events were audited). */
  getMeta(name: string): Promise<string | undefined>;
  setMeta(name: string, value: string): Promise<void>;
}
