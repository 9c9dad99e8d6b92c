import type { AuditRecord } from '../audit';
import type { SubjectRead } from './transparencyAnswer';

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
