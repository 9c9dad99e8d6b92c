import {
  getNamedType,
  type TypeInfo,
  isAbstractType,
  isObjectType,
  Kind,
  type FieldNode,
  type GraphQLField,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { FieldDecision } from '../policy';
import type { DeniedDecision } from './argumentRefusal';

/**
 * Alias of the `totalCount` the view adds under a connection that has a minimum cell size: the
 * connection is withheld when the count is small, whether or not the client asked for it, since
 * its items and pages tell the count too.
 */
export const COUNT_PROBE_ALIAS = 'hubCount__totalCount';

/**
 * Whether a value the agencies returned is a small count under `minCount`: an Int field's value,
 * or a connection's `totalCount` (read from the probe). 0 is not small: a cell with nobody in it
 * describes nobody (statistical disclosure control suppresses small non-zero cells).
 */
export function isSmallCount(field: GraphQLField<unknown, unknown>, raw: unknown, minCount: number): boolean {
  if (getNamedType(field.type).name === 'Int') return typeof raw === 'number' && raw > 0 && raw < minCount;
  if (raw === null || typeof raw !== 'object') return false; // nothing released
  // A connection whose probe did not come back as a count cannot be shown to be large: withheld.
  const count = (raw as Record<string, unknown>)[COUNT_PROBE_ALIAS];
  return typeof count !== 'number' || (count > 0 && count < minCount);
}

/** The denial a small count is reported with: the agency that set the threshold, and the threshold. */
export function smallCountDenial(decision: FieldDecision & { minCount: number }): DeniedDecision {
  const setter = decision.rulings.find((r) => r.classification?.minCount === decision.minCount) ?? decision.rulings[0];
  const agency = setter?.agency ?? 'none';
  return {
    effect: 'deny',
    code: 'SMALL_COUNT_WITHHELD',
    agency,
    minCount: decision.minCount,
    rulings: [
      {
        agency,
        effect: 'deny',
        code: 'SMALL_COUNT_WITHHELD',
        because: `a count below ${decision.minCount} (the minimum cell size) is not released`,
        ...(setter?.classification ? { classification: setter.classification } : {}),
      },
    ],
    grants: [],
    validUntil: Infinity,
  };
}

/** Whether a decided coordinate is a connection field with a minimum cell size (whose count must be probed). */
export function probesCount(schema: GraphQLSchema, coordinate: string, decision: FieldDecision): boolean {
  if (decision.effect === 'deny' || decision.minCount === undefined) return false;
  const type = schema.getType(coordinate.slice(0, coordinate.indexOf('.')));
  const field = isObjectType(type) ? type.getFields()[coordinate.slice(coordinate.indexOf('.') + 1)] : undefined;
  const named = field ? getNamedType(field.type) : undefined;
  return isObjectType(named) && named.getFields().totalCount !== undefined;
}

/**
 * The `leave` of a field, in a visit with `typeInfo` (which leaves after the visitor, so it still
 * describes the field): a selection of a connection field with a minimum cell size also asks its
 * `totalCount` under `COUNT_PROBE_ALIAS`. Part of the one rewrite of a view's document.
 */
export function countProbeOnLeave(
  schema: GraphQLSchema,
  typeInfo: TypeInfo,
  decisions: ReadonlyMap<string, FieldDecision>,
): (node: FieldNode) => FieldNode | undefined {
  const probe: FieldNode = {
    kind: Kind.FIELD,
    alias: { kind: Kind.NAME, value: COUNT_PROBE_ALIAS },
    name: { kind: Kind.NAME, value: 'totalCount' },
  };
  const thresholded = (typeName: string, fieldName: string) => {
    const decision = decisions.get(`${typeName}.${fieldName}`);
    return decision !== undefined && decision.effect !== 'deny' && decision.minCount !== undefined;
  };
  return (node) => {
    const parent = typeInfo.getParentType();
    const type = typeInfo.getType();
    if (!parent || !type || !node.selectionSet) return undefined;
    const named = getNamedType(type);
    if (!isObjectType(named) || !named.getFields().totalCount) return undefined;
    const concrete = isAbstractType(parent) ? schema.getPossibleTypes(parent).map((t) => t.name) : [parent.name];
    if (!concrete.some((typeName) => thresholded(typeName, node.name.value))) return undefined;
    const selectionSet: SelectionSetNode = {
      ...node.selectionSet,
      selections: [...node.selectionSet.selections, probe],
    };
    return { ...node, selectionSet };
  };
}
