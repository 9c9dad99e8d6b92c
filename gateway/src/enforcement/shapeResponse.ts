import {
  getDirectiveValues,
  getNamedType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLNamedType,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { applyMask, type MaskContext } from '../masking';
import { resolveOperation, type ArgumentRule, type FieldDecision, type OperationRef } from '../policy';
import { refusingArgument } from './argumentRefusal';
import { isSmallCount, smallCountDenial } from './countThresholds';
import { TYPENAME_ALIAS } from './operationView';

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

interface ShapeContext {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  decisions: ReadonlyMap<string, FieldDecision>;
  argumentsOf: (fieldCoordinate: string) => readonly ArgumentRule[];
  mask: MaskContext;
  withheld: Map<string, Withheld>;
  masked: Set<string>;
  entities: Record<string, number>;
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
    fragments: new Map(
      document.definitions
        .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d]),
    ),
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

/**
 * Visits every object of a response below the root, with its concrete type and the fields the
 * operation selected on it (response key → field nodes), following the operation's aliases,
 * fragments and @skip/@include. For readers of a response that do not reshape it.
 */
export function walkResponse(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationOrName: OperationRef,
  variables: Record<string, unknown> | undefined,
  data: Record<string, unknown> | null | undefined,
  visit: (type: GraphQLObjectType, fields: Map<string, FieldNode[]>, object: Record<string, unknown>) => void,
  decisions: ReadonlyMap<string, FieldDecision> = new Map(),
): void {
  const operation = resolveOperation(document, operationOrName);
  const root = operation ? schema.getRootType(operation.operation) : undefined;
  if (!operation || !root || !data) return;
  walkObject(walkContext(schema, document, variables, decisions), root, operation.selectionSet, data, visit, false);
}

/**
 * Like `walkResponse`, from one object of a known type down, the object itself included: for
 * the entities a subgraph returns to `_entities` (`selectionSet` is that field's selection, whose
 * inline fragments pick the entity's type).
 */
export function walkSelection(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  type: GraphQLObjectType,
  selectionSet: SelectionSetNode,
  object: Record<string, unknown>,
  visit: (type: GraphQLObjectType, fields: Map<string, FieldNode[]>, object: Record<string, unknown>) => void,
): void {
  walkObject(walkContext(schema, document, variables, new Map()), type, selectionSet, object, visit, true);
}

function walkContext(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  decisions: ReadonlyMap<string, FieldDecision>,
): ShapeContext {
  return {
    schema,
    fragments: new Map(
      document.definitions
        .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d]),
    ),
    variables: variables ?? {},
    decisions,
    argumentsOf: () => [],
    mask: { hashKey: '', consumerId: '' },
    withheld: new Map(),
    masked: new Set(),
    entities: {},
  };
}

function walkObject(
  context: ShapeContext,
  type: GraphQLObjectType,
  selectionSet: SelectionSetNode,
  source: Record<string, unknown>,
  visit: (type: GraphQLObjectType, fields: Map<string, FieldNode[]>, object: Record<string, unknown>) => void,
  visitSelf: boolean,
): void {
  const { schema } = context;
  const fields = collectFields(context, type, selectionSet);
  if (visitSelf) visit(type, fields, source);
  for (const [responseKey, nodes] of fields) {
    const field = type.getFields()[nodes[0]!.name.value];
    const named = field && namedTypeOf(field);
    if (!named || isLeafType(named)) continue;
    const selections: SelectionSetNode = {
      kind: Kind.SELECTION_SET,
      selections: nodes.flatMap((node) => node.selectionSet?.selections ?? []),
    };
    const visitValue = (value: unknown): void => {
      if (value === null || typeof value !== 'object') return;
      if (Array.isArray(value)) return value.forEach(visitValue);
      const object = value as Record<string, unknown>;
      let concrete: GraphQLObjectType | undefined = isObjectType(named) ? named : undefined;
      if (!concrete) {
        const name = object[TYPENAME_ALIAS] ?? object.__typename;
        const candidate = typeof name === 'string' ? schema.getType(name) : undefined;
        concrete = candidate && isObjectType(candidate) ? candidate : undefined;
      }
      if (concrete) walkObject(context, concrete, selections, object, visit, true);
    };
    visitValue(source[responseKey]);
  }
}

/**
 * Per agency, how many records of its data a response carries, for the audit trail: every object
 * below the root with at least one non-null scalar field that agency alone resolves and the
 * consumer received (in clear or masked) counts once for that agency. Entity keys several
 * agencies resolve do not count, nor do Relay wrappers (connections, edges, page info). For
 * responses that are not reshaped (nothing denied or masked); `shapeResponse` counts the same way
 * as it goes.
 */
export function countEntities(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationOrName: OperationRef,
  variables: Record<string, unknown> | undefined,
  decisions: ReadonlyMap<string, FieldDecision>,
  data: Record<string, unknown> | null | undefined,
): Record<string, number> {
  const entities: Record<string, number> = {};
  const context = { decisions, entities } as unknown as ShapeContext;
  walkResponse(
    schema,
    document,
    operationOrName,
    variables,
    data,
    (type, fields, object) => tally(context, type, fields, object),
    decisions,
  );
  return entities;
}

const RELAY_WRAPPER = /(Connection|Edge)$|^PageInfo$/;

/** A field's named type, unwrapped once per field: walks of large responses ask it per object. */
const namedTypes = new WeakMap<GraphQLField<unknown, unknown>, GraphQLNamedType>();
function namedTypeOf(field: GraphQLField<unknown, unknown>): GraphQLNamedType {
  let named = namedTypes.get(field);
  if (!named) namedTypes.set(field, (named = getNamedType(field.type)));
  return named;
}

/** Counts one record for every agency that released a non-null scalar of this object. */
function tally(
  context: ShapeContext,
  type: GraphQLObjectType,
  fields: Map<string, FieldNode[]>,
  values: Record<string, unknown>,
): void {
  if (RELAY_WRAPPER.test(type.name)) return;
  let agencies: Set<string> | undefined;
  for (const [responseKey, nodes] of fields) {
    const fieldName = nodes[0]!.name.value;
    if (fieldName.startsWith('__') || values[responseKey] === null || values[responseKey] === undefined) continue;
    const field = type.getFields()[fieldName];
    if (!field || !isLeafType(namedTypeOf(field))) continue;
    const decision = context.decisions.get(`${type.name}.${fieldName}`);
    // Keys several agencies resolve say nothing about whose data was read.
    if (!decision || decision.effect === 'deny' || decision.rulings.length !== 1) continue;
    const agency = decision.rulings[0]!.agency;
    if (agency !== 'none') (agencies ??= new Set()).add(agency);
  }
  if (agencies) for (const agency of agencies) context.entities[agency] = (context.entities[agency] ?? 0) + 1;
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
  const fields = collectFields(context, type, selectionSet);
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
  const selections: SelectionSetNode = {
    kind: Kind.SELECTION_SET,
    selections: nodes.flatMap((node) => node.selectionSet?.selections ?? []),
  };
  return shapeObject(context, concrete, selections, object, path, template);
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

/** Fields of a selection set that apply to a concrete type, grouped by response key, in order (GraphQL spec, CollectFields). */
function collectFields(
  context: ShapeContext,
  type: GraphQLObjectType,
  selectionSet: SelectionSetNode,
  into = new Map<string, FieldNode[]>(),
  visited = new Set<string>(),
): Map<string, FieldNode[]> {
  for (const selection of selectionSet.selections) {
    if (!included(context, selection)) continue;
    switch (selection.kind) {
      case Kind.FIELD: {
        const key = selection.alias?.value ?? selection.name.value;
        into.set(key, [...(into.get(key) ?? []), selection]);
        break;
      }
      case Kind.INLINE_FRAGMENT:
        if (!selection.typeCondition || applies(context, selection.typeCondition.name.value, type))
          collectFields(context, type, selection.selectionSet, into, visited);
        break;
      case Kind.FRAGMENT_SPREAD: {
        const name = selection.name.value;
        const fragment = context.fragments.get(name);
        if (!fragment || visited.has(name) || !applies(context, fragment.typeCondition.name.value, type)) break;
        visited.add(name);
        collectFields(context, type, fragment.selectionSet, into, visited);
        break;
      }
      default:
    }
  }
  return into;
}

function included(context: ShapeContext, node: { directives?: readonly import('graphql').DirectiveNode[] }): boolean {
  if (!node.directives?.length) return true;
  const skip = getDirectiveValues(GraphQLSkipDirective, node as FieldNode, context.variables);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node as FieldNode, context.variables);
  return include?.if !== false;
}

function applies(context: ShapeContext, condition: string, type: GraphQLObjectType): boolean {
  if (condition === type.name) return true;
  const conditionType = context.schema.getType(condition);
  return conditionType !== undefined && isAbstractType(conditionType) && context.schema.isSubType(conditionType, type);
}
