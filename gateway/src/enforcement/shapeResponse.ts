import {
  getNamedType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { applyMask, type MaskContext } from '../masking';
import { resolveOperation, type ArgumentRule, type FieldDecision, type OperationRef } from '../policy';
import { refusingArgument, type DeniedDecision } from './argumentRefusal';
import { isSmallCount, smallCountDenial } from './countThresholds';
import { TYPENAME_ALIAS } from './operationView';
import { collectionOf, fieldsOf, subSelection, tally, type CollectContext, type TallyContext } from './responseWalk';

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

/** A response path as a chain from the leaf up: made as the walk descends into objects and list items, read only to report a withheld field. */
interface PathLink {
  up: PathLink | undefined;
  key: string | number;
}

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
  argumentsOf: (fieldCoordinate: string) => readonly ArgumentRule[] = NO_ARGUMENT_RULES,
): ShapedResponse {
  const operation = resolveOperation(document, operationOrName);
  const root = operation ? schema.getRootType(operation.operation) : undefined;
  if (!operation || !root || data === null || data === undefined)
    return { data: data ?? null, withheld: [], masked: new Set(), entities: {} };
  const context: ShapeContext = {
    ...collectionOf(schema, document, variables),
    decisions,
    argumentsOf,
    mask,
    withheld: new Map(),
    masked: new Set(),
    entities: {},
  };
  const shaped = shapeObject(context, root, operation.selectionSet, data, undefined);
  return {
    data: shaped === NULL_UPWARD ? null : shaped,
    withheld: [...context.withheld.values()],
    masked: context.masked,
    entities: context.entities,
  };
}

const NO_ARGUMENT_RULES = (): readonly ArgumentRule[] => [];

/**
 * What shaping does at one response key of a type's collected fields. Everything but the values
 * is known from the view and the operation, so it is decided once per view and selection, not
 * once per object of every list.
 */
type ShapeStep =
  | { kind: 'typename'; responseKey: string; typeName: string }
  | { kind: 'copied'; responseKey: string }
  | {
      kind: 'withheld';
      responseKey: string;
      /** The coordinate reported: the field's, or the `Type.field(arg)` of the argument that refused it. */
      coordinate: string;
      decision: DeniedDecision;
      nonNull: boolean;
    }
  | {
      kind: 'value';
      responseKey: string;
      nodes: readonly FieldNode[];
      field: GraphQLField<unknown, unknown>;
      coordinate: string;
      minCount: number | undefined;
      decision: FieldDecision | undefined;
      masking: Extract<FieldDecision, { effect: 'mask' }> | undefined;
      shape: TypeShape;
      nonNull: boolean;
      /** Whether values below it are objects (a path is then carried down to them). */
      holdsObjects: boolean;
    };

/** Per view (its decisions and decisive arguments) and collected field map, the steps. */
const shapePlans = new WeakMap<
  ReadonlyMap<string, FieldDecision>,
  WeakMap<(coordinate: string) => readonly ArgumentRule[], WeakMap<Map<string, FieldNode[]>, readonly ShapeStep[]>>
>();

function shapeStepsOf(
  context: ShapeContext,
  type: GraphQLObjectType,
  fields: Map<string, FieldNode[]>,
): readonly ShapeStep[] {
  let byArguments = shapePlans.get(context.decisions);
  if (!byArguments) shapePlans.set(context.decisions, (byArguments = new WeakMap()));
  let byFields = byArguments.get(context.argumentsOf);
  if (!byFields) byArguments.set(context.argumentsOf, (byFields = new WeakMap()));
  let steps = byFields.get(fields);
  if (!steps) byFields.set(fields, (steps = planShape(context, type, fields)));
  return steps;
}

function planShape(context: ShapeContext, type: GraphQLObjectType, fields: Map<string, FieldNode[]>): ShapeStep[] {
  const steps: ShapeStep[] = [];
  for (const [responseKey, nodes] of fields) {
    const fieldName = nodes[0]!.name.value;
    if (fieldName === '__typename') {
      steps.push({ kind: 'typename', responseKey, typeName: type.name });
      continue;
    }
    if (fieldName.startsWith('__')) {
      steps.push({ kind: 'copied', responseKey });
      continue;
    }
    const field = type.getFields()[fieldName];
    if (!field) continue;
    const coordinate = `${type.name}.${fieldName}`;
    const decision = context.decisions.get(coordinate);
    const nonNull = isNonNullType(field.type);
    if (decision?.effect === 'deny') {
      steps.push({ kind: 'withheld', responseKey, coordinate, decision, nonNull });
      continue;
    }
    const refused = refusingArgument(context.decisions, context.argumentsOf(coordinate), nodes[0]!);
    if (refused) {
      steps.push({
        kind: 'withheld',
        responseKey,
        coordinate: refused.coordinate,
        decision: refused.decision,
        nonNull,
      });
      continue;
    }
    steps.push({
      kind: 'value',
      responseKey,
      nodes,
      field,
      coordinate,
      minCount: decision?.minCount,
      decision,
      masking: decision?.effect === 'mask' ? decision : undefined,
      shape: typeShapeOf(field.type),
      nonNull,
      holdsObjects: !isLeafType(getNamedType(field.type)),
    });
  }
  return steps;
}

/**
 * An output type's wrappers read once: completing a value asks them of every value, and graphql's
 * type predicates are `instanceof` checks that cost more than the copy itself.
 */
type TypeShape =
  | { kind: 'nonNull'; of: TypeShape; namedLeaf: boolean }
  | { kind: 'list'; of: TypeShape; namedLeaf: boolean }
  | { kind: 'leaf'; namedLeaf: true }
  | { kind: 'object'; type: GraphQLObjectType; namedLeaf: false }
  | { kind: 'abstract'; namedLeaf: false };

const typeShapes = new WeakMap<GraphQLOutputType, TypeShape>();

function typeShapeOf(type: GraphQLOutputType): TypeShape {
  let shape = typeShapes.get(type);
  if (shape) return shape;
  const namedLeaf = isLeafType(getNamedType(type));
  if (isNonNullType(type)) shape = { kind: 'nonNull', of: typeShapeOf(type.ofType), namedLeaf };
  else if (isListType(type)) shape = { kind: 'list', of: typeShapeOf(type.ofType as GraphQLOutputType), namedLeaf };
  else if (isLeafType(type)) shape = { kind: 'leaf', namedLeaf: true };
  else if (isObjectType(type)) shape = { kind: 'object', type, namedLeaf: false };
  else shape = { kind: 'abstract', namedLeaf: false };
  typeShapes.set(type, shape);
  return shape;
}

function shapeObject(
  context: ShapeContext,
  type: GraphQLObjectType,
  selectionSet: SelectionSetNode,
  source: Record<string, unknown>,
  path: PathLink | undefined,
): Record<string, unknown> | typeof NULL_UPWARD {
  const result: Record<string, unknown> = {};
  const fields = fieldsOf(context, type, selectionSet);
  for (const step of shapeStepsOf(context, type, fields)) {
    const { responseKey } = step;
    if (step.kind === 'typename') {
      result[responseKey] = source[responseKey] ?? step.typeName;
      continue;
    }
    if (step.kind === 'copied') {
      result[responseKey] = source[responseKey];
      continue;
    }
    let value: unknown;
    if (step.kind === 'withheld') {
      recordWithheld(context, step.coordinate, step.decision, { up: path, key: responseKey });
      value = step.nonNull ? NULL_UPWARD : null;
    } else {
      const raw = source[responseKey];
      if (step.minCount !== undefined && isSmallCount(step.field, raw, step.minCount)) {
        recordWithheld(context, step.coordinate, smallCountDenial({ ...step.decision!, minCount: step.minCount }), {
          up: path,
          key: responseKey,
        });
        value = step.nonNull ? NULL_UPWARD : null;
      } else {
        value =
          raw === undefined
            ? null
            : completeValue(
                context,
                step.shape,
                step.nodes,
                raw,
                step.holdsObjects ? { up: path, key: responseKey } : undefined,
                step.masking,
                step.coordinate,
              );
      }
    }
    if (value === NULL_UPWARD) {
      if (step.nonNull) return NULL_UPWARD;
      value = null;
    }
    result[responseKey] = value;
  }
  if (path) tally(context, type, fields, result);
  return result;
}

function completeValue(
  context: ShapeContext,
  shape: TypeShape,
  nodes: readonly FieldNode[],
  raw: unknown,
  /** The value's path; left out for leaf values, which never report one. */
  path: PathLink | undefined,
  masking: Extract<FieldDecision, { effect: 'mask' }> | undefined,
  coordinate: string,
): unknown {
  if (shape.kind === 'nonNull') {
    const inner = completeValue(context, shape.of, nodes, raw, path, masking, coordinate);
    return inner === null ? NULL_UPWARD : inner;
  }
  if (raw === null || raw === undefined) return null;
  if (masking && (masking.mask.kind === 'null' || shape.namedLeaf)) {
    context.masked.add(coordinate);
    return applyMask(masking.mask, raw, context.mask);
  }
  if (shape.kind === 'list') {
    if (!Array.isArray(raw)) return null;
    const items: unknown[] = [];
    for (let i = 0; i < raw.length; i++) {
      const item = completeValue(context, shape.of, nodes, raw[i], path && { up: path, key: i }, masking, coordinate);
      if (item === NULL_UPWARD) return NULL_UPWARD;
      items.push(item);
    }
    return items;
  }
  if (shape.kind === 'leaf') return raw;
  const object = raw as Record<string, unknown>;
  let concrete: GraphQLObjectType | undefined;
  if (shape.kind === 'object') concrete = shape.type;
  else {
    const name = object[TYPENAME_ALIAS] ?? object.__typename;
    const candidate = typeof name === 'string' ? context.schema.getType(name) : undefined;
    concrete = candidate && isObjectType(candidate) ? candidate : undefined;
  }
  if (!concrete) return null;
  return shapeObject(context, concrete, subSelection(nodes), object, path);
}

function recordWithheld(context: ShapeContext, coordinate: string, decision: DeniedDecision, path: PathLink): void {
  const steps: (string | number)[] = [];
  for (let link: PathLink | undefined = path; link; link = link.up) steps.push(link.key);
  steps.reverse();
  // Paths are reported without list indices (`school.students.nodes.idNumber`).
  const key = steps.filter((step) => typeof step === 'string').join('.');
  const existing = context.withheld.get(coordinate);
  if (existing) {
    if (!existing.paths.includes(key)) existing.paths.push(key);
  } else {
    context.withheld.set(coordinate, { coordinate, decision, paths: [key], firstPath: steps });
  }
}
