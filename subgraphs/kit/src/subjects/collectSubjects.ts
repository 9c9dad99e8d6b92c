import { subjectDigest, type ReturnedSubject } from '@cdo-hub/contracts';
import type { SubjectTypes } from './subjectTypes';

/**
 * The subjects of one call's answer, gathered as fields resolve: one entry per record (response
 * path) of a subject type, with the fields resolved on it. Digests are computed once per record.
 */
export class SubjectCollector {
  private readonly records = new Map<string, ReturnedSubject>();

  constructor(
    private readonly key: string,
    private readonly types: SubjectTypes,
  ) {}

  /** A field `field` resolved on `row`, a record of `type` at `path` (the record's own path). */
  fieldResolved(type: string, row: unknown, path: readonly (string | number)[], field: string): void {
    const rule = this.types[type];
    if (!rule || row === null || typeof row !== 'object') return;
    const at = path.join('\u0000');
    const known = this.records.get(at);
    if (known) {
      if (!known.fields.includes(field)) known.fields.push(field);
      return;
    }
    const identifier = rule.identifier(row as Record<string, unknown>);
    if (typeof identifier !== 'string' || !identifier.trim()) return;
    this.records.set(at, {
      digest: subjectDigest(this.key, identifier),
      kind: rule.kind,
      type,
      fields: [field],
      path: [...path],
    });
  }

  subjects(): ReturnedSubject[] {
    return [...this.records.values()];
  }
}
