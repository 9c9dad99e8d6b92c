import {
  getNamedType,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type DocumentNode,
  type FieldNode,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { applyMask, type MaskContext } from '../masking';
import { resolveOperation, type ArgumentRule, type FieldDecision, type OperationRef } from '../policy';
import { fragmentsOf } from '../selections';
import { refusingArgument } from './argumentRefusal';
import { isSmallCount, smallCountDenial } from './countThresholds';
import { TYPENAME_ALIAS } from './operationView';
import { fieldsOf, subSelection, tally, type CollectContext, type TallyContext } from './responseWalk';

/**
 * A field withheld from this response, once per coordinate with every place it was withheld: the
 * field's own coordinate, or the `Type.field(arg)` of the argument that refused it.
 */
export interface Withheld {
  coordinate: string;
  decision: Extract<FieldDecision, { effect: 'deny' }>;
  /** Response paths without list indices (`school.students.nodes.idNumber`). */
  paths: string[];
  /** The first concrete path, indices included. */
  firstPath: (string | number)[];
}

export interface ShapedResponse {
  data: Record<string, unknown> | null;
  withheld: Withheld[];
  masked: Set<string>;
  /** Per agency, the records of its data this response carries (see `countEntities`). */
  entities: Record<string, number>;
}

/** Marks a non-null position that had to become null: its nearest nullable parent becomes null. */
const NULL_UPWARD = Symbol('null upward');

interface ShapeContext extends CollectContext, TallyContext {
  argumentsOf: (fieldCoordinate: string) => readonly ArgumentRule[];
  mask: MaskContext;
  withheld: Map<string, Withheld>;
  masked: Set<string>;
}

/**
 * Builds the response the consumer receives from the data fetched for its view, following the
 * operation it sent (aliases, fragments, @skip/@include): a withheld field is null — a withheld
 * non-null field nulls its nearest nullable parent, as GraphQL does for errors — and a masked field
 * carries its masked value at every path it appears. A field given a denied argument is withheld
 * like a denied field, and a count below its minimum cell size (or a connection whose
 * `totalCount` is) is withheld too: both are decided here, after the caches, per view. Keys the
 * view added (join placeholders, concrete type names, count probes) are dropped because only the
 * client's own selections are copied.
 */
export function shapeResponse(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationOrName: OperationRef,
  variables: Record<string, unknown> | undefined,
  decisions: ReadonlyMap<string, FieldDecision>,
  data: Record<string, unknown> | null | undefined,
  mask: MaskContext,
  /** The view's decisive arguments per field (`OperationView.argumentsOf`). */
  argumentsOf: (fieldCoordinate: string) => readonly ArgumentRule[] = () => [],
): ShapedResponse {
  const operation = resolveOperation(document, operationOrName);
  const root = operation ? schema.getRootType(operation.operation) : undefined;
  const context: ShapeContext = {
    schema,
    fragments: fragmentsOf(document),
    variables: variables ?? {},
    decisions,
    argumentsOf,
    mask,
    withheld: new Map(),
    masked: new Set(),
    entities: {},
  };
  if (!operation || !root || data === null || data === undefined)
    return { data: data ?? null, withheld: [], masked: new Set(), entities: {} };
  const shaped = shapeObject(context, root, operation.selectionSet, data, [], []);
  return {
    data: shaped === NULL_UPWARD ? null : shaped,
    withheld: [...context.withheld.values()],
    masked: context.masked,
    entities: context.entities,
  };
}

function shapeObject(
  context: ShapeContext,
  type: GraphQLObjectType,
  selectionSet: SelectionSetNode,
  source: Record<string, unknown>,
  path: (string | number)[],
  template: string[],
): Record<string, unknown> | typeof NULL_UPWARD {
  const result: Record<string, unknown> = {};
  const fields = fieldsOf(context, type, selectionSet);
  for (const [responseKey, nodes] of fields) {
    const fieldName = nodes[0]!.name.value;
    if (fieldName === '__typename') {
      result[responseKey] = source[responseKey] ?? type.name;
      continue;
    }
    if (fieldName.startsWith('__')) {
      result[responseKey] = source[responseKey];
      continue;
    }
    const field = type.getFields()[fieldName];
    if (!field) continue;
    const coordinate = `${type.name}.${fieldName}`;
    const decision = context.decisions.get(coordinate);
    const fieldPath = [...path, responseKey];
    const fieldTemplate = [...template, responseKey];
    let value: unknown;
    const refused =
      decision?.effect === 'deny'
        ? undefined
        : refusingArgument(context.decisions, context.argumentsOf(coordinate), nodes[0]!);
    const raw = source[responseKey];
    if (decision?.effect === 'deny') {
      recordWithheld(context, coordinate, decision, fieldPath, fieldTemplate);
      value = isNonNullType(field.type) ? NULL_UPWARD : null;
    } else if (refused) {
      recordWithheld(context, refused.coordinate, refused.decision, fieldPath, fieldTemplate);
      value = isNonNullType(field.type) ? NULL_UPWARD : null;
    } else if (decision?.minCount !== undefined && isSmallCount(field, raw, decision.minCount)) {
      recordWithheld(
        context,
        coordinate,
        smallCountDenial({ ...decision, minCount: decision.minCount }),
        fieldPath,
        fieldTemplate,
      );
      value = isNonNullType(field.type) ? NULL_UPWARD : null;
    } else {
      value =
        raw === undefined
          ? null
          : completeValue(
              context,
              field.type,
              nodes,
              raw,
              fieldPath,
              fieldTemplate,
              decision?.effect === 'mask' ? decision : undefined,
              coordinate,
            );
    }
    if (value === NULL_UPWARD) {
      if (isNonNullType(field.type)) return NULL_UPWARD;
      value = null;
    }
    result[responseKey] = value;
  }
  if (path.length > 0) tally(context, type, fields, result);
  return result;
}

function completeValue(
  context: ShapeContext,
  type: GraphQLOutputType,
  nodes: readonly FieldNode[],
  raw: unknown,
  path: (string | number)[],
  template: string[],
  masking: Extract<FieldDecision, { effect: 'mask' }> | undefined,
  coordinate: string,
): unknown {
  if (isNonNullType(type)) {
    const inner = completeValue(context, type.ofType, nodes, raw, path, template, masking, coordinate);
    return inner === null ? NULL_UPWARD : inner;
  }
  if (raw === null || raw === undefined) return null;
  if (masking && (masking.mask.kind === 'null' || isLeafType(getNamedType(type)))) {
    context.masked.add(coordinate);
    return applyMask(masking.mask, raw, context.mask);
  }
  if (isListType(type)) {
    if (!Array.isArray(raw)) return null;
    const items: unknown[] = [];
    for (let i = 0; i < raw.length; i++) {
      const item = completeValue(context, type.ofType, nodes, raw[i], [...path, i], template, masking, coordinate);
      if (item === NULL_UPWARD) return NULL_UPWARD;
      items.push(item);
    }
    return items;
  }
  if (isLeafType(type)) return raw;
  const object = raw as Record<string, unknown>;
  let concrete: GraphQLObjectType | undefined;
  if (isObjectType(type)) concrete = type;
  else if (isAbstractType(type)) {
    const name = object[TYPENAME_ALIAS] ?? object.__typename;
    const candidate = typeof name === 'string' ? context.schema.getType(name) : undefined;
    concrete = candidate && isObjectType(candidate) ? candidate : undefined;
  }
  if (!concrete) return null;
  return shapeObject(context, concrete, subSelection(context, nodes), object, path, template);
}

function recordWithheld(
  context: ShapeContext,
  coordinate: string,
  decision: Extract<FieldDecision, { effect: 'deny' }>,
  path: (string | number)[],
  template: string[],
): void {
  const key = template.join('.');
  const existing = context.withheld.get(coordinate);
  if (existing) {
    if (!existing.paths.includes(key)) existing.paths.push(key);
  } else {
    context.withheld.set(coordinate, { coordinate, decision, paths: [key], firstPath: path });
  }
}
