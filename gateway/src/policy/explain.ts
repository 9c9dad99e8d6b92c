import { parse, validate, type GraphQLError } from 'graphql';
import type { Consumer } from '../consumers';
import { formatMask } from '../masking';
import { analyseOperation } from './analyseOperation';
import { decideArgument } from './decideArgument';
import { decideField, type FieldDecision } from './decideField';
import type { PolicySet } from './policySet';
import { formatLocation } from '../formats';

export interface ExplainedField {
  coordinate: string;
  paths: string[];
  decision: FieldDecision;
}

/**
 * Each field an operation reads, once per coordinate, with the decision for this consumer and
 * purpose and the rules behind it — what `hub policy explain` prints.
 */
export function explainOperation(
  policySet: PolicySet,
  consumer: Consumer,
  purpose: string | undefined,
  query: string,
  now: number,
): ExplainedField[] | { errors: readonly GraphQLError[] } {
  let document;
  try {
    document = parse(query);
  } catch (error) {
    return { errors: [error as GraphQLError] };
  }
  const errors = validate(policySet.schema, document);
  if (errors.length) return { errors };
  const byCoordinate = new Map<string, ExplainedField>();
  for (const selection of analyseOperation(policySet.schema, document)) {
    const existing = byCoordinate.get(selection.coordinate);
    const path = selection.path.join('.');
    if (existing) {
      if (!existing.paths.includes(path)) existing.paths.push(path);
    } else {
      byCoordinate.set(selection.coordinate, {
        coordinate: selection.coordinate,
        paths: [path],
        decision: decideField(policySet, consumer, purpose, selection.coordinate, now),
      });
    }
    // The arguments this use reads (given, or left to a default that compares), as the gateway decides them.
    for (const rule of policySet.decisiveArguments(selection.coordinate)) {
      const given = selection.node.arguments?.some((argument) => argument.name.value === rule.argument) ?? false;
      if (!given && !rule.readsDefault) continue;
      const entry = byCoordinate.get(rule.coordinate);
      if (entry) {
        if (!entry.paths.includes(path)) entry.paths.push(path);
      } else {
        byCoordinate.set(rule.coordinate, {
          coordinate: rule.coordinate,
          paths: [path],
          decision: decideArgument(policySet, consumer, purpose, rule.coordinate, now),
        });
      }
    }
  }
  return [...byCoordinate.values()];
}

export function formatExplanation(fields: readonly ExplainedField[]): string {
  const lines: string[] = [];
  for (const { coordinate, paths, decision } of fields) {
    const base =
      decision.effect === 'allow'
        ? 'ALLOW'
        : decision.effect === 'mask'
          ? `MASK ${formatMask(decision.mask)}`
          : `DENY ${decision.code}`;
    const verdict =
      decision.effect !== 'deny' && decision.minCount !== undefined ? `${base} (minCount ${decision.minCount})` : base;
    lines.push(`${verdict.padEnd(26)} ${coordinate}   (at ${paths.join(', ')})`);
    for (const ruling of decision.rulings) {
      const where = ruling.grant
        ? formatLocation(ruling.grant.source)
        : ruling.classification
          ? formatLocation(ruling.classification.source)
          : '';
      lines.push(`${''.padEnd(26)}   ${ruling.agency}: ${ruling.because}${where ? `  [${where}]` : ''}`);
    }
  }
  return lines.join('\n');
}
