import { subjectDigest, type ReturnedSubject } from '@cdo-hub/contracts';
import { responsePathAsArray } from 'graphql';
import type { Path } from 'graphql/jsutils/Path';
import type { SubjectTypes } from './subjectTypes';

/**
 * The subjects of one call's answer, gathered as fields resolve: one entry per record (response
 * path) of a subject type, with the fields resolved on it. Digests are computed once per record.
 * graphql-js hands every field of one record the same parent path node, so records are told apart
 * by that node; its path is spelled out once, when the record is first seen.
 */
export class SubjectCollector {
  private readonly records = new Map<Path, ReturnedSubject>();

  constructor(
    private readonly key: string,
    private readonly types: SubjectTypes,
  ) {}

  /** A field `field` resolved on `row`, a record of `type` at `path` (the record's own path node). */
  fieldResolved(type: string, row: unknown, path: Path, field: string): void {
    const known = this.records.get(path);
    if (known) {
      if (!known.fields.includes(field)) known.fields.push(field);
      return;
    }
    const rule = this.types[type];
    if (!rule || row === null || typeof row !== 'object') return;
    const identifier = rule.identifier(row as Record<string, unknown>);
    if (typeof identifier !== 'string' || !identifier.trim()) return;
    this.records.set(path, {
      digest: subjectDigest(this.key, identifier),
      kind: rule.kind,
      type,
      fields: [field],
      path: responsePathAsArray(path),
    });
  }

  subjects(): ReturnedSubject[] {
    return [...this.records.values()];
  }
}
