import {
  getDirectiveValues,
  getNamedType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isLeafType,
  isObjectType,
  BREAK,
  Kind,
  visit,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { resolveOperation, type FieldDecision, type OperationRef } from '../policy';
import { fieldsByResponseKey, fragmentsOf, mergedSelection } from '../selections';
import { TYPENAME_ALIAS } from './operationView';

/**
 * Reading a response by the operation that asked for it: which fields apply to each object
 * (aliases, fragments, @skip/@include, as GraphQL's CollectFields), walks over every object, and
 * the audit's count of records per agency. `shapeResponse` builds on these.
 */

/** What collecting fields needs: the schema, the document's fragments, the variables. */
export interface CollectContext {
  schema: GraphQLSchema;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  /**
   * The fields per selection set and concrete type, filled as walks go. A list's items share them
   * instead of collecting the same fields once per item; when the document's @skip/@include read
   * no variable, the requests of that document share them too (see `collectionOf`).
   */
  collected?: WeakMap<SelectionSetNode, Map<GraphQLObjectType, Map<string, FieldNode[]>>>;
}

/** What counting records needs: the view's decisions, and the counts so far. */
export interface TallyContext {
  decisions: ReadonlyMap<string, FieldDecision>;
  entities: Record<string, number>;
}

/** `collectFields`, once per selection set and type; the map is shared, not to be changed. */
export function fieldsOf(
  context: CollectContext,
  type: GraphQLObjectType,
  selectionSet: SelectionSetNode,
): Map<string, FieldNode[]> {
  const collected = (context.collected ??= new WeakMap());
  let byType = collected.get(selectionSet);
  if (!byType) collected.set(selectionSet, (byType = new Map()));
  let fields = byType.get(type);
  if (!fields) byType.set(type, (fields = collectFields(context, type, selectionSet)));
  return fields;
}

/** The selection below a group of field nodes (one response key), merged once: it depends on the nodes alone. */
const mergedSelections = new WeakMap<readonly FieldNode[], SelectionSetNode>();
export function subSelection(nodes: readonly FieldNode[]): SelectionSetNode {
  let selection = mergedSelections.get(nodes);
  if (!selection) mergedSelections.set(nodes, (selection = mergedSelection(nodes)));
  return selection;
}

/** What walks of one document against one schema share across requests. */
interface DocumentCollection {
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  /** Absent when an @skip/@include of the document reads a variable: fields are then collected per walk. */
  collected: CollectContext['collected'];
}

const collections = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, DocumentCollection>>();

/**
 * The collection context of a walk. Apollo Server keeps one parsed document per operation text (and
 * a view keeps its rewritten one), so the fields a selection set stands for are collected once per
 * document and schema — unless a directive makes them depend on the request's variables.
 */
export function collectionOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
): CollectContext {
  let bySchema = collections.get(schema);
  if (!bySchema) collections.set(schema, (bySchema = new WeakMap()));
  let collection = bySchema.get(document);
  if (!collection) {
    collection = {
      fragments: fragmentsOf(document),
      collected: directivesReadVariables(document) ? undefined : new WeakMap(),
    };
    bySchema.set(document, collection);
  }
  return {
    schema,
    fragments: collection.fragments,
    variables: variables ?? {},
    ...(collection.collected ? { collected: collection.collected } : {}),
  };
}

/** Whether an @skip or @include of the document takes its condition from a variable. */
function directivesReadVariables(document: DocumentNode): boolean {
  let reads = false;
  visit(document, {
    Directive(node) {
      if (
        (node.name.value === 'skip' || node.name.value === 'include') &&
        node.arguments?.some((argument) => argument.value.kind !== Kind.BOOLEAN)
      ) {
        reads = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return reads;
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
): void {
  const operation = resolveOperation(document, operationOrName);
  const root = operation ? schema.getRootType(operation.operation) : undefined;
  if (!operation || !root || !data) return;
  walkObject(walkContext(schema, document, variables), root, operation.selectionSet, data, visit, false);
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
  walkObject(walkContext(schema, document, variables), type, selectionSet, object, visit, true);
}

function walkContext(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
): CollectContext {
  return collectionOf(schema, document, variables);
}

/** A field below which a walk goes on: its response key, its named type, the selection below it. */
interface WalkStep {
  responseKey: string;
  /** The field's type when it is an object type; undefined for an abstract type (read `__typename`). */
  objectType: GraphQLObjectType | undefined;
  selections: SelectionSetNode;
}

/** Per collected field map (one type's), the fields holding objects: decided once, not per object. */
const walkSteps = new WeakMap<Map<string, FieldNode[]>, readonly WalkStep[]>();

function walkStepsOf(type: GraphQLObjectType, fields: Map<string, FieldNode[]>): readonly WalkStep[] {
  let steps = walkSteps.get(fields);
  if (steps) return steps;
  const planned: WalkStep[] = [];
  for (const [responseKey, nodes] of fields) {
    const field = type.getFields()[nodes[0]!.name.value];
    const named = field && namedTypeOf(field);
    if (!named || isLeafType(named)) continue;
    planned.push({ responseKey, objectType: isObjectType(named) ? named : undefined, selections: subSelection(nodes) });
  }
  walkSteps.set(fields, (steps = planned));
  return steps;
}

function walkObject(
  context: CollectContext,
  type: GraphQLObjectType,
  selectionSet: SelectionSetNode,
  source: Record<string, unknown>,
  visit: (type: GraphQLObjectType, fields: Map<string, FieldNode[]>, object: Record<string, unknown>) => void,
  visitSelf: boolean,
): void {
  const fields = fieldsOf(context, type, selectionSet);
  if (visitSelf) visit(type, fields, source);
  for (const step of walkStepsOf(type, fields)) walkValue(context, step, source[step.responseKey], visit);
}

function walkValue(
  context: CollectContext,
  step: WalkStep,
  value: unknown,
  visit: (type: GraphQLObjectType, fields: Map<string, FieldNode[]>, object: Record<string, unknown>) => void,
): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) walkValue(context, step, item, visit);
    return;
  }
  const object = value as Record<string, unknown>;
  let concrete = step.objectType;
  if (!concrete) {
    const name = object[TYPENAME_ALIAS] ?? object.__typename;
    const candidate = typeof name === 'string' ? context.schema.getType(name) : undefined;
    concrete = candidate && isObjectType(candidate) ? candidate : undefined;
  }
  if (concrete) walkObject(context, concrete, step.selections, object, visit, true);
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
  const context: TallyContext = { decisions, entities };
  walkResponse(schema, document, operationOrName, variables, data, (type, fields, object) =>
    tally(context, type, fields, object),
  );
  return entities;
}

/** Relay plumbing: connection, edge and page-info types carry no agency data of their own. */
export const RELAY_WRAPPER = /(Connection|Edge)$|^PageInfo$/;

/** A field's named type, unwrapped once per field: walks of large responses ask it per object. */
const namedTypes = new WeakMap<GraphQLField<unknown, unknown>, GraphQLNamedType>();
export function namedTypeOf(field: GraphQLField<unknown, unknown>): GraphQLNamedType {
  let named = namedTypes.get(field);
  if (!named) namedTypes.set(field, (named = getNamedType(field.type)));
  return named;
}

/** Per view (its decisions) and collected field map, the response keys that count and for which agency. */
const tallyPlans = new WeakMap<
  ReadonlyMap<string, FieldDecision>,
  WeakMap<Map<string, FieldNode[]>, readonly (readonly [string, string])[]>
>();

/** Counts one record for every agency that released a non-null scalar of this object. */
export function tally(
  context: TallyContext,
  type: GraphQLObjectType,
  fields: Map<string, FieldNode[]>,
  values: Record<string, unknown>,
): void {
  let plans = tallyPlans.get(context.decisions);
  if (!plans) tallyPlans.set(context.decisions, (plans = new WeakMap()));
  let plan = plans.get(fields);
  if (!plan) plans.set(fields, (plan = tallyPlan(context.decisions, type, fields)));
  let agencies: Set<string> | undefined;
  for (const [responseKey, agency] of plan)
    if (values[responseKey] !== null && values[responseKey] !== undefined) (agencies ??= new Set()).add(agency);
  if (agencies) for (const agency of agencies) context.entities[agency] = (context.entities[agency] ?? 0) + 1;
}

/** Which of a type's collected fields count a record if non-null, and for which agency. */
function tallyPlan(
  decisions: ReadonlyMap<string, FieldDecision>,
  type: GraphQLObjectType,
  fields: Map<string, FieldNode[]>,
): (readonly [string, string])[] {
  if (RELAY_WRAPPER.test(type.name)) return [];
  const plan: (readonly [string, string])[] = [];
  for (const [responseKey, nodes] of fields) {
    const fieldName = nodes[0]!.name.value;
    if (fieldName.startsWith('__')) continue;
    const field = type.getFields()[fieldName];
    if (!field || !isLeafType(namedTypeOf(field))) continue;
    const decision = decisions.get(`${type.name}.${fieldName}`);
    // Keys several agencies resolve say nothing about whose data was read.
    if (!decision || decision.effect === 'deny' || decision.rulings.length !== 1) continue;
    const agency = decision.rulings[0]!.agency;
    if (agency !== 'none') plan.push([responseKey, agency]);
  }
  return plan;
}

/** Fields of a selection set that apply to a concrete type, grouped by response key, in order (GraphQL spec, CollectFields). */
export function collectFields(
  context: CollectContext,
  type: GraphQLObjectType,
  selectionSet: SelectionSetNode,
): Map<string, FieldNode[]> {
  return fieldsByResponseKey(
    selectionSet,
    context.fragments,
    (selection, typeCondition) =>
      included(context, selection) && (typeCondition === undefined || applies(context, typeCondition, type)),
  );
}

function included(context: CollectContext, node: { directives?: readonly DirectiveNode[] }): boolean {
  if (!node.directives?.length) return true;
  const skip = getDirectiveValues(GraphQLSkipDirective, node as FieldNode, context.variables);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node as FieldNode, context.variables);
  return include?.if !== false;
}

function applies(context: CollectContext, condition: string, type: GraphQLObjectType): boolean {
  if (condition === type.name) return true;
  const conditionType = context.schema.getType(condition);
  return conditionType !== undefined && isAbstractType(conditionType) && context.schema.isSubType(conditionType, type);
}
