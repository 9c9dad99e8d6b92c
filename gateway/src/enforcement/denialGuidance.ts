import { catalogUrl, GRANT_REQUEST_ROUTE } from '../catalog/catalogLinks';
import type { DenialCode, FieldDecision } from '../policy';

/** Denials a consumer can act on by applying for a grant (FIELD_NOT_SHARED cannot be granted, small counts are never released). */
const APPLICABLE: ReadonlySet<DenialCode> = new Set([
  'GRANT_REQUIRED',
  'PURPOSE_NOT_GRANTED',
  'GRANT_EXPIRED',
  'GRANT_REVOKED',
]);

/** What `extensions.requestAccess` holds: the call that files a grant request for exactly the withheld field and purpose. */
export interface RequestAccess {
  method: 'POST';
  /** Relative to the gateway's origin, sent with the consumer's own bearer token. */
  path: string;
  body: { agency: string; fields: string[]; purpose?: string };
  /** What the consumer must add to the body before sending: the reason is theirs to give. */
  fill: { reason: string };
}

/**
 * What to do about a denial: where the field is described (`catalog`) and how to apply for it
 * (`requestAccess`, the admin API's grant-request route and body), for the codes a grant answers;
 * nothing for the others. Pure; it says nothing the error did not already (agency, coordinate).
 */
export function denialGuidance(
  coordinate: string,
  decision: Extract<FieldDecision, { effect: 'deny' }>,
): { catalog?: string; requestAccess?: RequestAccess } {
  if (!APPLICABLE.has(decision.code) || coordinate.includes('(')) return {};
  return {
    catalog: catalogUrl(coordinate),
    requestAccess: {
      method: 'POST',
      path: GRANT_REQUEST_ROUTE,
      body: {
        agency: decision.agency,
        fields: [coordinate],
        ...(decision.purpose !== undefined ? { purpose: decision.purpose } : {}),
      },
      fill: { reason: 'the duty and use scenario the data serves' },
    },
  };
}
