import { createHmac } from 'node:crypto';

/**
 * A data subject's keyed digest (PIPL art. 44–45: a person may learn who processed their
 * information): HMAC-SHA256 under the owning agency's subject key of the identifier — a resident
 * ID number for a person, a unified social credit code for an organisation — trimmed and upper-cased
 * (`x` and `X` end the same ID number). The audit keeps only this digest, never the identifier:
 * without the agency's key an ID number cannot be recovered by trying the few billion plausible
 * ones, as it could from a plain hash. Hex, 64 characters.
 */
export function subjectDigest(key: string, identifier: string): string {
  return createHmac('sha256', key).update(identifier.trim().toUpperCase(), 'utf8').digest('hex');
}

/** Whose records a subject's are: a person (resident ID number) or an organisation (USCC). */
export type SubjectKind = 'person' | 'organisation';

/**
 * One subject of the records a subgraph returned, as it hands it to the gateway out of band
 * (`extensions.cdoSubjects` of its answer, which the gateway strips): the digest, the record's
 * GraphQL type, the fields of that record the answer carried, and where in the answer the record
 * is (its response path), so a cache that keeps part of an answer keeps the subjects of that part.
 */
export interface ReturnedSubject {
  digest: string;
  kind: SubjectKind;
  type: string;
  fields: string[];
  path: (string | number)[];
}

/** The response extension a subgraph hands the subjects in; never forwarded to a client. */
export const SUBJECTS_EXTENSION = 'cdoSubjects';
