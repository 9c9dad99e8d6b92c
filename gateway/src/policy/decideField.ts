import type { ErrorCode } from '../errors';
import { ownAgencyOf, type Consumer } from '../consumers';
import type { MaskSpec } from '../masking';
import type { FieldClassification, Grant, PolicySet } from './policySet';
import { caseVerdict, type RequestCase } from './caseReference';

/** Why a field is withheld; each is a catalogued error code. */
export type DenialCode = Extract<
  ErrorCode,
  | 'FIELD_NOT_SHARED'
  | 'GRANT_REQUIRED'
  | 'GRANT_EXPIRED'
  | 'GRANT_REVOKED'
  | 'PURPOSE_NOT_GRANTED'
  | 'ARGUMENT_NOT_SHARED'
  | 'SMALL_COUNT_WITHHELD'
  | 'CASE_REQUIRED'
  | 'CASE_INVALID'
>;

/** What one agency's policy says about one field for this consumer and purpose. */
export interface AgencyRuling {
  agency: string;
  effect: 'allow' | 'mask' | 'deny';
  /** Why, in words a CDO would use. */
  because: string;
  classification?: FieldClassification;
  grant?: Grant;
  mask?: MaskSpec;
  code?: DenialCode;
}

/**
 * `minCount`: the field is a count (or a connection whose `totalCount` is one) released only when
 * it is 0 or at least this; applied to each answer after the caches (enforcement/countThresholds).
 */
export type FieldDecision =
  | { effect: 'allow'; rulings: AgencyRuling[]; grants: Grant[]; validUntil: number; minCount?: number }
  | { effect: 'mask'; mask: MaskSpec; rulings: AgencyRuling[]; grants: Grant[]; validUntil: number; minCount?: number }
  | {
      effect: 'deny';
      code: DenialCode;
      agency: string;
      /** The purpose the request stated: a denial's `requestAccess` asks for exactly this one. */
      purpose?: string;
      rulings: AgencyRuling[];
      grants: Grant[];
      validUntil: number;
      minCount?: number;
    };

// When agencies disagree the stricter ruling wins; among denials, the most final reason is given.
export const DENIAL_ORDER: readonly DenialCode[] = [
  'FIELD_NOT_SHARED',
  'ARGUMENT_NOT_SHARED',
  'GRANT_REVOKED',
  'GRANT_EXPIRED',
  'PURPOSE_NOT_GRANTED',
  'GRANT_REQUIRED',
  // The grant is there and live: naming the case is all the request lacks.
  'CASE_INVALID',
  'CASE_REQUIRED',
  'SMALL_COUNT_WITHHELD',
];

/**
 * The decision for one field coordinate, for one consumer stating one purpose, at time `now`.
 * Pure: the same inputs always give the same decision, which is what lets decisions be compiled
 * once per operation and reused until `validUntil` (the earliest expiry of a grant it used).
 *
 * Rules, per agency that resolves the field (keys and shareable fields have several):
 * - the consumer's own agency reads its own fields in full;
 * - the public reads only fields whose open-data attribute is OPEN;
 * - UNCONDITIONAL: released; NOT_SHARED: never released;
 * - CONDITIONAL: released (in clear or masked) only under a grant for this consumer and purpose
 *   that has not expired; withheld as GRANT_REVOKED, GRANT_EXPIRED, PURPOSE_NOT_GRANTED or
 *   GRANT_REQUIRED otherwise (most final first); a live grant bound to a case releases only to a
 *   request naming a case it accepts (CASE_REQUIRED, CASE_INVALID otherwise).
 * The strictest ruling across agencies wins. `requestCase` is the request's `x-case-id`; left out,
 * nothing is being requested and case-bound grants count as usable (caseReference.ts).
 */
export function decideField(
  policySet: PolicySet,
  consumer: Consumer,
  purpose: string | undefined,
  coordinate: string,
  now: number,
  requestCase?: RequestCase,
): FieldDecision {
  const agencies = policySet.ownership.resolvers.get(coordinate) ?? [];
  const rulings = agencies.map((agency) => ruleFor(policySet, consumer, purpose, coordinate, agency, now, requestCase));
  if (rulings.length === 0) {
    // A field no agency resolves (e.g. one the supergraph gained after the policy was checked):
    // nobody has classed it, so it is not shared.
    rulings.push({
      agency: 'none',
      effect: 'deny',
      code: 'FIELD_NOT_SHARED',
      because: 'no agency resolves this field',
    });
  }
  const grants = rulings.flatMap((r) => (r.grant && r.effect !== 'deny' ? [r.grant] : []));
  const validUntil = Math.min(Infinity, ...grants.map((g) => g.expiresAt));
  const denials = rulings.filter((r) => r.effect === 'deny');
  if (denials.length) {
    const worst = denials.sort((a, b) => DENIAL_ORDER.indexOf(a.code!) - DENIAL_ORDER.indexOf(b.code!))[0]!;
    return {
      effect: 'deny',
      code: worst.code!,
      agency: worst.agency,
      ...(purpose !== undefined ? { purpose } : {}),
      rulings,
      grants: [],
      validUntil: Infinity,
    };
  }
  // A minimum cell size binds everyone but the agency that set it (whose ruling has no classification).
  let minCount = 0;
  for (const ruling of rulings) minCount = Math.max(minCount, ruling.classification?.minCount ?? 0);
  const masked = rulings.find((r) => r.effect === 'mask');
  const decision: FieldDecision = masked
    ? { effect: 'mask', mask: masked.mask!, rulings, grants, validUntil }
    : { effect: 'allow', rulings, grants, validUntil };
  if (minCount > 0) decision.minCount = minCount;
  return decision;
}

function ruleFor(
  policySet: PolicySet,
  consumer: Consumer,
  purpose: string | undefined,
  coordinate: string,
  agency: string,
  now: number,
  requestCase: RequestCase | undefined,
): AgencyRuling {
  if (ownAgencyOf(consumer) === agency)
    return { agency, effect: 'allow', because: `${agency} reads its own data in full` };
  return ruleOn(policySet, consumer, purpose, coordinate, policySet.classify(coordinate, agency), now, requestCase);
}

/**
 * One agency's ruling on a coordinate it has classed — a field, or an argument with a class of its
 * own — for a consumer that is not that agency: open data to the public, UNCONDITIONAL to every
 * department, CONDITIONAL under a live grant naming the coordinate for the stated purpose.
 */
export function ruleOn(
  policySet: PolicySet,
  consumer: Consumer,
  purpose: string | undefined,
  coordinate: string,
  classification: FieldClassification,
  now: number,
  requestCase?: RequestCase,
): AgencyRuling {
  const agency = classification.agency;
  if (ownAgencyOf(consumer) === agency)
    return { agency, effect: 'allow', because: `${agency} reads its own data in full`, classification };
  if (consumer.kind === 'PUBLIC') {
    return classification.open === 'OPEN' && classification.sharingClass === 'UNCONDITIONAL'
      ? { agency, effect: 'allow', because: 'open data', classification }
      : {
          agency,
          effect: 'deny',
          code: 'FIELD_NOT_SHARED',
          because: `not open to the public (open-data attribute ${classification.open})`,
          classification,
        };
  }
  switch (classification.sharingClass) {
    case 'UNCONDITIONAL':
      return { agency, effect: 'allow', because: 'UNCONDITIONAL', classification };
    case 'NOT_SHARED':
      return {
        agency,
        effect: 'deny',
        code: 'FIELD_NOT_SHARED',
        because:
          classification.origin === 'unclassified'
            ? 'not classed by its agency: NOT_SHARED by default'
            : `NOT_SHARED (${classification.legalBasis})`,
        classification,
      };
    case 'CONDITIONAL': {
      const held = policySet.grantsFor(consumer.id, coordinate).filter((grant) => grant.agency === agency);
      const forPurpose = held.filter((grant) => purpose !== undefined && grant.purposes.includes(purpose));
      const live = forPurpose.filter((grant) => grant.expiresAt > now);
      const active = live.filter((grant) => caseVerdict(grant, requestCase) === 'satisfied');
      if (active.length) {
        // Of several live grants, the one releasing the most wins: in clear before masked.
        const withMask = active.map((grant) => ({ grant, mask: maskIn(grant, coordinate) }));
        const best = withMask.find((g) => !g.mask) ?? withMask[0]!;
        return best.mask
          ? {
              agency,
              effect: 'mask',
              mask: best.mask,
              grant: best.grant,
              because: `CONDITIONAL, granted masked by ${best.grant.id}${forACase(best.grant)}`,
              classification,
            }
          : {
              agency,
              effect: 'allow',
              grant: best.grant,
              because: `CONDITIONAL, granted by ${best.grant.id}${forACase(best.grant)}`,
              classification,
            };
      }
      // Live grants, every one bound to a case this request did not name (well): it is told how to.
      if (live.length) return caseDenial(agency, live[0]!, requestCase, classification);
      // A grant a CDO revoked is the most recent word on this field and purpose: said as such.
      const revoked = policySet
        .revokedGrantsFor(consumer.id, coordinate)
        .filter((grant) => grant.agency === agency && purpose !== undefined && grant.purposes.includes(purpose));
      if (revoked.length) {
        const last = revoked.sort((a, b) => b.revoked!.at.localeCompare(a.revoked!.at))[0]!;
        return {
          agency,
          effect: 'deny',
          code: 'GRANT_REVOKED',
          grant: last,
          because: `CONDITIONAL; grant ${last.id} was revoked on ${last.revoked!.at.slice(0, 10)}`,
          classification,
        };
      }
      if (forPurpose.length) {
        const latest = forPurpose.sort((a, b) => b.expiresAt - a.expiresAt)[0]!;
        return {
          agency,
          effect: 'deny',
          code: 'GRANT_EXPIRED',
          grant: latest,
          because: `CONDITIONAL; grant ${latest.id} expired on ${latest.expires}`,
          classification,
        };
      }
      if (held.length) {
        return {
          agency,
          effect: 'deny',
          code: 'PURPOSE_NOT_GRANTED',
          grant: held[0]!,
          because: `CONDITIONAL; granted for ${[...new Set(held.flatMap((g) => g.purposes))].join(', ')}, not for ${purpose ?? 'no stated purpose'}`,
          classification,
        };
      }
      return {
        agency,
        effect: 'deny',
        code: 'GRANT_REQUIRED',
        because: `CONDITIONAL; ${consumer.id} holds no grant for it`,
        classification,
      };
    }
    default: {
      const unreachable: never = classification.sharingClass;
      throw new Error(`unknown sharing class ${String(unreachable)}`);
    }
  }
}

function maskIn(grant: Grant, coordinate: string): MaskSpec | undefined {
  return grant.fields.find((field) => field.coordinate === coordinate)?.mask;
}

function forACase(grant: Grant): string {
  return grant.requiresCase ? ' for a named case' : '';
}

/**
 * The denial of a field whose live grant is bound to a case the request did not name, or named
 * in another format. Said to the grant's holder only (rulings cite the consumer's own grants), so
 * the agency's format may be named: it is what the holder must send.
 */
function caseDenial(
  agency: string,
  grant: Grant,
  requestCase: RequestCase | undefined,
  classification: FieldClassification,
): AgencyRuling {
  const format = grant.requiresCase?.format?.pattern;
  const missing = caseVerdict(grant, requestCase) === 'missing';
  return {
    agency,
    effect: 'deny',
    code: missing ? 'CASE_REQUIRED' : 'CASE_INVALID',
    grant,
    because: missing
      ? `CONDITIONAL; grant ${grant.id} releases it only for a named case: send its reference in x-case-id`
      : `CONDITIONAL; grant ${grant.id} releases it only for a case reference ${format ? `matching ${format}` : 'of 1-64 visible ASCII characters'}, which x-case-id is not`,
    classification,
  };
}
