import type { Grant, PolicySet } from './policySet';

/**
 * The case a request says it serves (`x-case-id`), and whether that satisfies a case-bound grant.
 * A grant with `requireCase: true` releases its fields only to requests naming a case, in the
 * agency's format when the grant states one (`casePattern`, casePattern.ts); the rest of the answer
 * is decided as always. Pure.
 */

export const CASE_HEADER = 'x-case-id';
/** Longest case reference accepted: enough for any registry's numbering, short enough to match cheaply and log. */
export const MAX_CASE_REFERENCE_LENGTH = 64;

/**
 * What a request's `x-case-id` says: nothing, a well-formed reference (1–64 visible ASCII
 * characters), or something else — too long, with spaces or control characters, or sent twice.
 * A malformed header is never recorded nor forwarded, and satisfies no case-bound grant.
 */
export type RequestCase =
  { readonly kind: 'absent' } | { readonly kind: 'given'; readonly reference: string } | { readonly kind: 'malformed' };

export const NO_CASE: RequestCase = { kind: 'absent' };

const WELL_FORMED = new RegExp(`^[\\x21-\\x7e]{1,${MAX_CASE_REFERENCE_LENGTH}}$`);

/** The request's case from the header's value(s) as Node reads them. Blank counts as absent. */
export function readCaseHeader(value: string | readonly string[] | undefined): RequestCase {
  if (value === undefined) return NO_CASE;
  if (typeof value !== 'string') return value.length === 0 ? NO_CASE : { kind: 'malformed' };
  const reference = value.trim();
  if (!reference) return NO_CASE;
  return WELL_FORMED.test(reference) ? { kind: 'given', reference } : { kind: 'malformed' };
}

/** The well-formed reference a request gave, if any: what the audit records and the agencies receive. */
export function caseReferenceOf(requestCase: RequestCase | undefined): string | undefined {
  return requestCase?.kind === 'given' ? requestCase.reference : undefined;
}

export type CaseVerdict = 'satisfied' | 'missing' | 'invalid';

/**
 * Whether a request's case lets it use a grant. `requestCase` undefined means no request is being
 * decided (`hub policy explain`, impact previews, the consumer's introspected schema): a case-bound
 * grant is then taken as usable, as it is for any request that names a matching case.
 */
export function caseVerdict(grant: Pick<Grant, 'requiresCase'>, requestCase: RequestCase | undefined): CaseVerdict {
  if (!grant.requiresCase || requestCase === undefined) return 'satisfied';
  if (requestCase.kind === 'absent') return 'missing';
  if (requestCase.kind === 'malformed') return 'invalid';
  const format = grant.requiresCase.format;
  return !format || format.matches(requestCase.reference) ? 'satisfied' : 'invalid';
}

const caseBoundByConsumer = new WeakMap<PolicySet, Map<string, readonly Grant[]>>();

/** The consumer's case-bound grants in this policy set, in a stable order. */
function caseBoundGrants(policySet: PolicySet, consumerId: string): readonly Grant[] {
  let byConsumer = caseBoundByConsumer.get(policySet);
  if (!byConsumer) {
    byConsumer = new Map();
    for (const grant of policySet.grants)
      if (grant.requiresCase) byConsumer.set(grant.consumer, [...(byConsumer.get(grant.consumer) ?? []), grant]);
    caseBoundByConsumer.set(policySet, byConsumer);
  }
  return byConsumer.get(consumerId) ?? [];
}

/**
 * What of a request's case its decisions depend on: the verdict for each case-bound grant the
 * consumer holds (empty when it holds none). Compiled views are cached under it, so two requests
 * naming different cases share a view exactly when every grant judges them alike.
 */
export function caseSignature(policySet: PolicySet, consumerId: string, requestCase: RequestCase): string {
  const grants = caseBoundGrants(policySet, consumerId);
  if (!grants.length) return '';
  return grants.map((grant) => caseVerdict(grant, requestCase)[0]).join('');
}
