import type { FieldRuleInput } from './model';
import type { FieldClassification } from './policySet';
import type { SourceLocation } from '../formats';

/** A rule of a policy file (a field's, a type default's or an argument's own class) as the policy set stores it, checked on the way. */
export function toClassification(
  agency: string,
  rule: FieldRuleInput,
  origin: 'field' | 'type-default',
  location: SourceLocation,
  what: string,
  error: (location: SourceLocation, message: string, hint?: string) => void,
): FieldClassification | undefined {
  if (!rule.class) {
    error(location, `${what} has no sharing class`, 'class: UNCONDITIONAL | CONDITIONAL | NOT_SHARED');
    return undefined;
  }
  if (!rule.level) {
    error(
      location,
      `${what} has no level`,
      'level: L1 (public) | L2 (internal) | L3 (sensitive) | L4 (sensitive personal / minors)',
    );
    return undefined;
  }
  if (rule.class === 'NOT_SHARED' && !rule.legalBasis) {
    error(
      location,
      `${what} is NOT_SHARED without a legal basis`,
      'legalBasis: the law or regulation that forbids sharing it',
    );
    return undefined;
  }
  if (rule.open && rule.open !== 'CLOSED' && rule.class !== 'UNCONDITIONAL') {
    error(
      location,
      `${what} is ${rule.class} but open to the public (${rule.open})`,
      'only UNCONDITIONAL data can be open data; drop `open` or re-class the field',
    );
    return undefined;
  }
  return {
    agency,
    sharingClass: rule.class,
    level: rule.level,
    open: rule.open ?? 'CLOSED',
    ...(rule.legalBasis ? { legalBasis: rule.legalBasis } : {}),
    ...(rule.cacheable ? { cacheable: true } : {}),
    ...(rule.minCount !== undefined ? { minCount: rule.minCount } : {}),
    ...(rule.allowBlanking ? { allowBlanking: true } : {}),
    origin,
    source: location,
  };
}
