import type { FieldNode } from 'graphql';
import type { ArgumentRule, FieldDecision } from '../policy';

export type DeniedDecision = Extract<FieldDecision, { effect: 'deny' }>;

/** An argument the view did not decide (it cannot happen for the operation the view was compiled from): secure default. */
const UNDECIDED: DeniedDecision = {
  effect: 'deny',
  code: 'ARGUMENT_NOT_SHARED',
  agency: 'none',
  rulings: [{ agency: 'none', effect: 'deny', code: 'ARGUMENT_NOT_SHARED', because: 'not decided for this view' }],
  grants: [],
  validUntil: Infinity,
};

/**
 * The argument that refuses one use of a field, if any: a decisive argument given to it (as a
 * literal or a variable — they count alike, whatever the variable's value) or left to a default
 * that compares, whose decision is a denial. The field is then withheld with everything below it.
 * Pure; `decisions` hold the view's argument decisions under `Type.field(arg)`.
 */
export function refusingArgument(
  decisions: ReadonlyMap<string, FieldDecision>,
  rules: readonly ArgumentRule[],
  node: FieldNode,
): { coordinate: string; decision: DeniedDecision } | undefined {
  for (const rule of rules) {
    const given = node.arguments?.some((argument) => argument.name.value === rule.argument) ?? false;
    if (!given && !rule.readsDefault) continue;
    const decision = decisions.get(rule.coordinate) ?? UNDECIDED;
    if (decision.effect === 'deny') return { coordinate: rule.coordinate, decision };
  }
  return undefined;
}
