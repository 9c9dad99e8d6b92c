import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { SUBJECTS_EXTENSION, type ReturnedSubject } from '@cdo-hub/contracts';

/**
 * Where a fetch-cache entry (one entity, or one root fetch's data) keeps the subjects of the records
 * it holds, so a hit hands them on like a fetch would. A name in the reserved alias family
 * (`hub…__`, enforcement/reservedAliases.ts): no field of an answer can be called so.
 */
export const CACHED_SUBJECTS_KEY = 'hubSubjects__';

/** The subjects an agency handed with a fetched answer, left on it (the data source takes them off above the cache). */
export function handedSubjects(response: GatewayGraphQLResponse): ReturnedSubject[] {
  const handed = response.extensions?.[SUBJECTS_EXTENSION];
  return Array.isArray(handed) ? (handed as ReturnedSubject[]) : [];
}

/** `response` handing these subjects on (as the agency did), or as it is when there are none. */
export function handingSubjects(response: GatewayGraphQLResponse, subjects: ReturnedSubject[]): GatewayGraphQLResponse {
  if (!subjects.length) return response;
  return { ...response, extensions: { ...response.extensions, [SUBJECTS_EXTENSION]: subjects } };
}

/** The subjects under `prefix` (a response path), their paths made relative to it. */
export function subjectsUnder(
  subjects: readonly ReturnedSubject[],
  prefix: readonly (string | number)[],
): ReturnedSubject[] {
  return subjects.flatMap((subject) =>
    prefix.every((step, index) => subject.path[index] === step)
      ? [{ ...subject, path: subject.path.slice(prefix.length) }]
      : [],
  );
}

/** An entry's text: the value, with its subjects when there are any. */
export function entryText(value: Record<string, unknown>, subjects: readonly ReturnedSubject[]): string {
  return JSON.stringify(subjects.length ? { ...value, [CACHED_SUBJECTS_KEY]: subjects } : value);
}

/** An entry read back: the value as it was stored, and its subjects placed under `prefix`. */
export function readEntry(
  text: string,
  prefix: readonly (string | number)[],
): { value: unknown; subjects: ReturnedSubject[] } {
  const value = JSON.parse(text) as unknown;
  if (value === null || typeof value !== 'object' || !(CACHED_SUBJECTS_KEY in value)) return { value, subjects: [] };
  const { [CACHED_SUBJECTS_KEY]: stored, ...rest } = value as Record<string, unknown>;
  const subjects = Array.isArray(stored)
    ? (stored as ReturnedSubject[]).map((subject) => ({ ...subject, path: [...prefix, ...subject.path] }))
    : [];
  return { value: rest, subjects };
}
