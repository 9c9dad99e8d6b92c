import type { SubjectKind } from '@cdo-hub/contracts';
import type { SubjectsByAgency } from './subjectsSeen';

/** A subject as the audit record keeps it: whose record, and its fields the consumer received in clear or masked. */
export interface SubjectAccess {
  digest: string;
  kind: SubjectKind;
  type: string;
  /** Field names (of `type`) released in clear. */
  released: string[];
  /** Field names released masked. */
  masked: string[];
}

/** How the consumer's view decided a coordinate (`Type.field`); undefined when the operation did not ask for it. */
export type FieldEffect = (coordinate: string) => 'allow' | 'mask' | 'deny' | undefined;

/**
 * What each agency's subjects had released, in the consumer's view: a field the agency returned
 * counts only when the operation asked for it and the view released it (in clear or masked) — a
 * field fetched only to join agencies (an entity key) or denied was not released to anyone.
 * Subjects with nothing released are left out; one subject's records met several times in an answer
 * make one entry. Pure.
 */
export function subjectAccess(
  seen: SubjectsByAgency | undefined,
  effectOf: FieldEffect,
): Record<string, SubjectAccess[]> {
  const byAgency: Record<string, SubjectAccess[]> = {};
  for (const [agency, subjects] of Object.entries(seen ?? {})) {
    const merged = new Map<string, SubjectAccess>();
    for (const subject of subjects) {
      const key = `${subject.type}|${subject.digest}`;
      let entry = merged.get(key);
      for (const field of subject.fields) {
        const effect = effectOf(`${subject.type}.${field}`);
        if (effect !== 'allow' && effect !== 'mask') continue;
        if (!entry)
          merged.set(
            key,
            (entry = { digest: subject.digest, kind: subject.kind, type: subject.type, released: [], masked: [] }),
          );
        const list = effect === 'mask' ? entry.masked : entry.released;
        if (!list.includes(field)) list.push(field);
      }
    }
    if (merged.size) byAgency[agency] = [...merged.values()];
  }
  return byAgency;
}
