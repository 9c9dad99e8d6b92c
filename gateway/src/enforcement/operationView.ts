import { createHash } from 'node:crypto';
import {
  isAbstractType,
  isObjectType,
  Kind,
  print,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type InlineFragmentNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Identity } from '../consumers';
import type { ScopedFields } from '../signing';
import {
  analyseOperation,
  decideArgument,
  decideField,
  type ArgumentRule,
  type FieldDecision,
  type Grant,
  type OperationRef,
  type PolicySet,
  type RequestCase,
  NO_CASE,
} from '../policy';
import { refusingArgument } from './argumentRefusal';
import { countProbeOnLeave, probesCount } from './countThresholds';

/**
 * What one consumer, stating one purpose, may see of one operation: the decision for every field
 * coordinate it reads and every argument it gives (`Type.field(arg)`), and the document to plan
 * and fetch — the operation with every denied field, and every field refused by a denied
 * argument, removed, so no subgraph is asked for data the consumer may not have, nor to compare
 * against it. Compiled once per (policy version, consumer, purpose, operation) and reused until
 * `validUntil`.
 */
export interface OperationView {
  /** Per field coordinate and per decisive argument coordinate (`Type.field(arg)`). */
  decisions: ReadonlyMap<string, FieldDecision>;
  /** The decisive arguments of a field (those decided on their own), to refuse a field by them when reshaping. */
  argumentsOf: (fieldCoordinate: string) => readonly ArgumentRule[];
  /** Nothing denied, masked or thresholded: the original document runs as it is and the response is not reshaped. */
  unrestricted: boolean;
  /** The document to plan and execute. */
  document: DocumentNode;
  /** Hash of `document`'s text: the query-plan cache key, so plans never cross views. */
  queryHash: string;
  /**
   * Fingerprint of the decisions: consumers whose decisions are identical share it. Minimum cell
   * sizes are not in it: they are applied to each answer after the caches, so an answer cached for
   * one view is thresholded for every other.
   */
  fingerprint: string;
  /** The earliest expiry among the grants the view relies on. */
  validUntil: number;
  grants: readonly Grant[];
  /** Row scopes to send to each agency, from the grants used, with the fields they restrict. */
  scopes: Readonly<Record<string, ScopedFields>>;
}

/** Alias of the `__typename` kept in a selection set whose every field was removed. */
export const PLACEHOLDER_ALIAS = 'hubPlaceholder__typename';
/** Alias of the `__typename` added to selections on interfaces and unions, to reshape by concrete type. */
export const TYPENAME_ALIAS = 'hubConcreteType__typename';

export function compileOperationView(
  policySet: PolicySet,
  identity: Identity,
  document: DocumentNode,
  operation: OperationRef,
  queryHash: string,
  now: number,
  /** The request's `x-case-id`: a grant bound to a case releases nothing to a request without one that fits. */
  requestCase: RequestCase = NO_CASE,
): OperationView {
  const decisions = new Map<string, FieldDecision>();
  for (const selection of analyseOperation(policySet.schema, document, operation)) {
    if (!decisions.has(selection.coordinate))
      decisions.set(
        selection.coordinate,
        decideField(policySet, identity.consumer, identity.purpose, selection.coordinate, now, requestCase),
      );
    // The arguments this use of the field reads: those given (literal or variable alike) and those
    // left to a default that compares. Arguments nobody gives are not decided, so the audit lists
    // only arguments the operation used.
    for (const rule of policySet.decisiveArguments(selection.coordinate)) {
      if (decisions.has(rule.coordinate)) continue;
      const given = selection.node.arguments?.some((argument) => argument.name.value === rule.argument) ?? false;
      if (given || rule.readsDefault)
        decisions.set(
          rule.coordinate,
          decideArgument(policySet, identity.consumer, identity.purpose, rule.coordinate, now, requestCase),
        );
    }
  }
  const grants = [...new Map([...decisions.values()].flatMap((d) => d.grants).map((g) => [g.id, g])).values()];
  let anyDenied = false;
  let anyMasked = false;
  let thresholds = false;
  let probeCounts = false;
  for (const [coordinate, decision] of decisions) {
    if (decision.effect === 'deny') anyDenied = true;
    else {
      if (decision.effect === 'mask') anyMasked = true;
      if (decision.minCount !== undefined) {
        thresholds = true;
        probeCounts ||= probesCount(policySet.schema, coordinate, decision);
      }
    }
  }
  const unrestricted = !anyDenied && !anyMasked && !thresholds;
  const argumentsOf = (fieldCoordinate: string) => policySet.decisiveArguments(fieldCoordinate);
  const rewritten =
    anyDenied || probeCounts
      ? rewriteForView(policySet.schema, document, decisions, { argumentsOf, probeCounts })
      : document;
  const fingerprint = createHash('sha256')
    .update(
      JSON.stringify(
        [...decisions.entries()].map(([coordinate, d]) => [
          coordinate,
          d.effect,
          d.effect === 'mask' ? d.mask : d.effect === 'deny' ? d.code : '',
        ]),
      ),
    )
    .update(JSON.stringify(scopesOf(decisions)))
    .digest('hex')
    .slice(0, 16);
  return {
    decisions,
    argumentsOf,
    unrestricted,
    document: rewritten,
    // Only a rewritten document needs a key of its own: views that merely mask or threshold share
    // the plan and the cached answers of the text as sent.
    queryHash: rewritten === document ? queryHash : createHash('sha256').update(print(rewritten)).digest('hex'),
    fingerprint,
    validUntil: Math.min(Infinity, ...[...decisions.values()].map((d) => d.validUntil)),
    grants,
    scopes: scopesOf(decisions),
  };
}

/**
 * Row scopes per agency: a grant with a scope releases only rows inside it, so the owning
 * subgraph is told the scope and the fields it restricts. A field released by an unscoped grant
 * is not restricted.
 */
function scopesOf(decisions: ReadonlyMap<string, FieldDecision>): Record<string, ScopedFields> {
  const scopes: Record<string, { scope: Record<string, string>; fields: string[] }> = {};
  for (const [coordinate, decision] of decisions) {
    for (const grant of decision.grants) {
      if (!grant.scope) continue;
      const entry = (scopes[grant.agency] ??= { scope: {}, fields: [] });
      Object.assign(entry.scope, grant.scope);
      if (!entry.fields.includes(coordinate)) entry.fields.push(coordinate);
    }
  }
  return scopes;
}

function concreteTypeNames(schema: GraphQLSchema, type: GraphQLCompositeType): string[] {
  if (isObjectType(type)) return [type.name];
  if (isAbstractType(type)) return schema.getPossibleTypes(type).map((t) => t.name);
  return [];
}

function typenameField(alias: string): FieldNode {
  return { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: alias }, name: { kind: Kind.NAME, value: '__typename' } };
}

/**
 * A new document without the denied fields, nor the fields a denied argument refuses (the input is shared by every request with the same
 * text and is never mutated). A field denied on some concrete types of an interface or union but
 * not others is split into inline fragments on the allowed types. A selection set left empty keeps
 * an aliased `__typename`, which the response never shows.
 */
export function removeDeniedFields(
  schema: GraphQLSchema,
  document: DocumentNode,
  decisions: ReadonlyMap<string, FieldDecision>,
): DocumentNode {
  return rewriteForView(schema, document, decisions, { argumentsOf: () => [], probeCounts: false });
}

/**
 * The view's document in one visit: denied fields and fields refused by a denied argument removed
 * (as `removeDeniedFields`), and — with `probeCounts` — a `totalCount` probe under every
 * connection with a minimum cell size (countThresholds).
 */
export function rewriteForView(
  schema: GraphQLSchema,
  document: DocumentNode,
  decisions: ReadonlyMap<string, FieldDecision>,
  options: { argumentsOf: (fieldCoordinate: string) => readonly ArgumentRule[]; probeCounts: boolean },
): DocumentNode {
  const { argumentsOf } = options;
  const typeInfo = new TypeInfo(schema);
  const probe = options.probeCounts ? countProbeOnLeave(schema, typeInfo, decisions) : undefined;
  const denied = (typeName: string, node: FieldNode) => {
    const coordinate = `${typeName}.${node.name.value}`;
    return (
      decisions.get(coordinate)?.effect === 'deny' ||
      refusingArgument(decisions, argumentsOf(coordinate), node) !== undefined
    );
  };
  const rewritten = visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node): ASTNode | null | undefined {
          if (node.name.value.startsWith('__')) return undefined;
          const parent = typeInfo.getParentType();
          if (!parent) return undefined;
          const types = concreteTypeNames(schema, parent);
          const allowed = types.filter((t) => !denied(t, node));
          if (allowed.length === types.length) return undefined;
          if (allowed.length === 0) return null;
          // Mixed: keep the field only under the concrete types that may read it.
          return {
            kind: Kind.INLINE_FRAGMENT,
            selectionSet: {
              kind: Kind.SELECTION_SET,
              selections: allowed.map((typeName): InlineFragmentNode => ({
                kind: Kind.INLINE_FRAGMENT,
                typeCondition: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: typeName } },
                selectionSet: { kind: Kind.SELECTION_SET, selections: [node] },
              })),
            },
          } as InlineFragmentNode;
        },
        leave: probe,
      },
      SelectionSet: {
        leave(node): SelectionSetNode | undefined {
          const named = typeInfo.getParentType();
          let selections: readonly SelectionNode[] = node.selections;
          if (
            named &&
            isAbstractType(named) &&
            !selections.some((s) => s.kind === Kind.FIELD && s.alias?.value === TYPENAME_ALIAS)
          ) {
            selections = [...selections, typenameField(TYPENAME_ALIAS)];
          }
          if (selections.length === 0) selections = [typenameField(PLACEHOLDER_ALIAS)];
          return selections === node.selections ? undefined : { ...node, selections };
        },
      },
    }),
  );
  return rewritten;
}
