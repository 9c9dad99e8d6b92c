import type { Consumer } from '../consumers';
import { DENIAL_ORDER, decideField, ruleOn, type AgencyRuling, type FieldDecision } from './decideField';
import type { PolicySet } from './policySet';
import type { RequestCase } from './caseReference';

/**
 * The decision for one argument, `Type.field(arg)`, for one consumer stating one purpose, at
 * `now`. An argument that compares against or orders by a value is a read of that value: the
 * answer changes with it, so whoever may set it learns about it. Pure, like `decideField`.
 *
 * - `over` (named by a policy or inferred): decided like every field it is over, by that field's
 *   own agency — the strictest wins;
 * - `classed`: decided like a field with that class, by the agencies that classed it; a grant
 *   releases it only by naming `Type.field(arg)`;
 * - `field` / `exempt`: nothing of its own to decide (the field's own decision covers it).
 *
 * Two rulings that release a field do not release an argument over it: a masked grant (the
 * consumer sees the value only masked, and a comparison is made in clear), and a row-scoped grant
 * (a comparison runs over every row, in scope or not). Both deny the argument. A denied argument
 * is `ARGUMENT_NOT_SHARED`, the ruling saying the underlying reason — unless all it lacks is the
 * case its grant is bound to (`CASE_REQUIRED`, `CASE_INVALID`), which the request can supply.
 */
export function decideArgument(
  policySet: PolicySet,
  consumer: Consumer,
  purpose: string | undefined,
  coordinate: string,
  now: number,
  requestCase?: RequestCase,
): FieldDecision {
  const rule = policySet.argumentRules.get(coordinate);
  let rulings: AgencyRuling[];
  if (!rule) {
    rulings = [
      {
        agency: 'none',
        effect: 'deny',
        code: 'ARGUMENT_NOT_SHARED',
        because: 'no such argument in the supergraph the policies were checked against',
      },
    ];
  } else if (rule.value.kind === 'classed') {
    rulings = rule.value.classifications.map((classification) =>
      ruleOn(policySet, consumer, purpose, coordinate, classification, now, requestCase),
    );
  } else if (rule.value.kind === 'over') {
    rulings = rule.value.over.flatMap((over) =>
      decideField(policySet, consumer, purpose, over, now, requestCase).rulings.map((ruling): AgencyRuling => ({
        ...ruling,
        because: `compares against ${over}: ${ruling.because}`,
        // The value's class, also where its own agency reads it in full: the caches bound their TTL by it.
        classification:
          ruling.classification ?? (ruling.agency === 'none' ? undefined : policySet.classify(over, ruling.agency)),
      })),
    );
  } else {
    return { effect: 'allow', rulings: [], grants: [], validUntil: Infinity };
  }
  rulings = rulings.map(releasedInClearOnly);
  const denials = rulings.filter((r) => r.effect === 'deny');
  if (denials.length) {
    const worst = denials.sort((a, b) => DENIAL_ORDER.indexOf(a.code!) - DENIAL_ORDER.indexOf(b.code!))[0]!;
    return {
      effect: 'deny',
      code: worst.code === 'CASE_REQUIRED' || worst.code === 'CASE_INVALID' ? worst.code : 'ARGUMENT_NOT_SHARED',
      agency: worst.agency,
      rulings,
      grants: [],
      validUntil: Infinity,
    };
  }
  const grants = rulings.flatMap((r) => (r.grant ? [r.grant] : []));
  return { effect: 'allow', rulings, grants, validUntil: Math.min(Infinity, ...grants.map((g) => g.expiresAt)) };
}

function releasedInClearOnly(ruling: AgencyRuling): AgencyRuling {
  if (ruling.effect === 'mask') {
    const { mask: _mask, ...rest } = ruling;
    return {
      ...rest,
      effect: 'deny',
      code: 'ARGUMENT_NOT_SHARED',
      because: `${ruling.because}; a comparison reads the value in clear, so a masked grant does not release it`,
    };
  }
  if (ruling.effect === 'allow' && ruling.grant?.scope) {
    return {
      ...ruling,
      effect: 'deny',
      code: 'ARGUMENT_NOT_SHARED',
      because: `${ruling.because}, for rows in ${JSON.stringify(ruling.grant.scope)} only; a comparison runs over every row`,
    };
  }
  return ruling;
}
