import type { SubjectKind } from '@cdo-hub/contracts';
import type { SubjectsByAgency } from './subjectsSeen';

/**
 * Subjects as the audit record keeps them: the records of one type that had the same fields
 * released in clear and masked, with the digests of whose records they were. Grouped, because a
 * page of a roster is twenty pupils with the same fields: each digest is then written once, not
 * each with its field lists (a third of the bytes).
 */
export interface SubjectAccess {
  kind: SubjectKind;
  type: string;
  /** Field names (of `type`) released in clear. */
  released: string[];
  /** Field names released masked. */
  masked: string[];
  /** The agency's keyed digests of the subjects (ID numbers, USCCs), each once. */
  digests: string[];
}

/** How the consumer's view decided a coordinate (`Type.field`); undefined when the operation did not ask for it. */
export type FieldEffect = (coordinate: string) => 'allow' | 'mask' | 'deny' | undefined;

/**
 * What each agency's subjects had released, in the consumer's view: a field the agency returned
 * counts only when the operation asked for it and the view released it (in clear or masked) — a
 * field fetched only to join agencies (an entity key) or denied was not released to anyone.
 * Subjects with nothing released are left out; one subject's records met several times in an
 * answer count once, with every field released in any of them. Pure.
 */
export function subjectAccess(
  seen: SubjectsByAgency | undefined,
  effectOf: FieldEffect,
): Record<string, SubjectAccess[]> {
  const byAgency: Record<string, SubjectAccess[]> = {};
  for (const [agency, subjects] of Object.entries(seen ?? {})) {
    // Per subject (type and digest), the fields released and masked across its records.
    const perSubject = new Map<
      string,
      { kind: SubjectKind; type: string; digest: string; released: Set<string>; masked: Set<string> }
    >();
    for (const subject of subjects) {
      for (const field of subject.fields) {
        const effect = effectOf(`${subject.type}.${field}`);
        if (effect !== 'allow' && effect !== 'mask') continue;
        const key = `${subject.type}|${subject.digest}`;
        let entry = perSubject.get(key);
        if (!entry)
          perSubject.set(
            key,
            (entry = {
              kind: subject.kind,
              type: subject.type,
              digest: subject.digest,
              released: new Set(),
              masked: new Set(),
            }),
          );
        (effect === 'mask' ? entry.masked : entry.released).add(field);
      }
    }
    const groups = new Map<string, SubjectAccess>();
    for (const entry of perSubject.values()) {
      const released = [...entry.released].sort();
      const masked = [...entry.masked].sort();
      const key = `${entry.type}|${released.join(',')}|${masked.join(',')}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { kind: entry.kind, type: entry.type, released, masked, digests: [] }));
      group.digests.push(entry.digest);
    }
    if (groups.size) byAgency[agency] = [...groups.values()];
  }
  return byAgency;
}
