import type { AuditRecord } from '../audit';

/** One read of one subject's records: who read them, when, for what, which fields, under which grants. */
export interface SubjectRead {
  time: string;
  agency: string;
  /** The record type read (`Student`, `Organization`, …). */
  type: string;
  consumer: string;
  purpose: string | null;
  case: string | null;
  released: string[];
  masked: string[];
  grants: string[];
  requestId: string;
  /** Where the read is in the trail: the chain (folder) and the record's number. */
  seq: number;
}

/** The subjects an audit record names, one row per agency and subject. Pure. */
export function subjectReadsOf(record: AuditRecord): (Omit<SubjectRead, 'seq'> & { digest: string; kind: string })[] {
  if (record.kind === 'grant') return [];
  return Object.entries(record.agencies ?? {}).flatMap(([agency, access]) =>
    (access.subjects ?? []).flatMap((group) =>
      group.digests.map((digest) => ({
        digest,
        kind: group.kind,
        type: group.type,
        agency,
        time: record.time,
        consumer: record.consumer,
        purpose: record.purpose,
        case: record.case ?? null,
        released: group.released,
        masked: group.masked,
        grants: access.grants,
        requestId: record.requestId,
      })),
    ),
  );
}
