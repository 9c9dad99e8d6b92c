import type { SubjectKind } from '@cdo-hub/contracts';

/**
 * How an agency's records name their subject: per GraphQL type whose records are about one person
 * or one organisation, the kind and how to read the identifier from the row a resolver receives.
 * The identifier is read from the row, not from the answer, so a consumer that did not select it
 * (or may not) still leaves the subject in the audit.
 */
export type SubjectTypes = Readonly<
  Record<string, { kind: SubjectKind; identifier: (row: Record<string, unknown>) => unknown }>
>;

/** Reads a column holding an identifier; anything but a non-empty string names no subject. */
export function identifierColumn(column: string): (row: Record<string, unknown>) => unknown {
  return (row) => row[column];
}
