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
  // The records of one type come back with the same fields: their decision is made once.
  const decisions = new Map<string, Released>();
  const decide = (type: string, fields: readonly string[]): Released => {
    const key = `${type}|${fields.join(',')}`;
    let decided = decisions.get(key);
    if (!decided) decisions.set(key, (decided = released(type, fields, effectOf)));
    return decided;
  };
  for (const [agency, subjects] of Object.entries(seen ?? {})) {
    // Per subject (type and digest), the fields released and masked across its records.
    const perSubject = new Map<string, { kind: SubjectKind; type: string; digest: string; fields: Released }>();
    for (const subject of subjects) {
      const decided = decide(subject.type, subject.fields);
      if (!decided.released.length && !decided.masked.length) continue;
      const key = `${subject.type}|${subject.digest}`;
      const met = perSubject.get(key);
      if (!met)
        perSubject.set(key, { kind: subject.kind, type: subject.type, digest: subject.digest, fields: decided });
      else if (met.fields !== decided) met.fields = union(subject.type, met.fields, decided);
    }
    const groups = new Map<string, SubjectAccess>();
    for (const { kind, type, digest, fields } of perSubject.values()) {
      let group = groups.get(fields.key);
      if (!group)
        groups.set(
          fields.key,
          (group = { kind, type, released: [...fields.released], masked: [...fields.masked], digests: [] }),
        );
      group.digests.push(digest);
    }
    if (groups.size) byAgency[agency] = [...groups.values()];
  }
  return byAgency;
}

/** The fields of a type released in clear and masked (each sorted), and the key of their group. */
interface Released {
  released: readonly string[];
  masked: readonly string[];
  key: string;
}

function releasedOf(type: string, released: Set<string>, masked: Set<string>): Released {
  const clear = [...released].sort();
  const hidden = [...masked].sort();
  return { released: clear, masked: hidden, key: `${type}|${clear.join(',')}|${hidden.join(',')}` };
}

function released(type: string, fields: readonly string[], effectOf: FieldEffect): Released {
  const clear = new Set<string>();
  const masked = new Set<string>();
  for (const field of fields) {
    const effect = effectOf(`${type}.${field}`);
    if (effect === 'allow') clear.add(field);
    else if (effect === 'mask') masked.add(field);
  }
  return releasedOf(type, clear, masked);
}

/** One subject met twice in an answer: every field released in either record. */
function union(type: string, a: Released, b: Released): Released {
  return releasedOf(type, new Set([...a.released, ...b.released]), new Set([...a.masked, ...b.masked]));
}
