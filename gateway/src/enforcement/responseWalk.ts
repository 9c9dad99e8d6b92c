import {
  getDirectiveValues,
  getNamedType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isLeafType,
  isObjectType,
  Kind,
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
import { TYPENAME_ALIAS } from './operationView';

/**
 * Reading a response by the operation that asked for it: which fields apply to each object
 * (aliases, fragments, @skip/@include, as GraphQL's CollectFields), walks over every object, and
 * the audit's count of records per agency. `shapeResponse` builds on these.
 */

/** What collecting fields needs: the schema, the document's fragments, the variables. */
export interface CollectContext {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

/** What counting records needs: the view's decisions, and the counts so far. */
export interface TallyContext {
  decisions: ReadonlyMap<string, FieldDecision>;
  entities: Record<string, number>;
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
  return {
    schema,
    fragments: new Map(
      document.definitions
        .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d]),
    ),
    variables: variables ?? {},
  };
}

function walkObject(
  context: CollectContext,
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

/** Counts one record for every agency that released a non-null scalar of this object. */
export function tally(
  context: TallyContext,
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

/** Fields of a selection set that apply to a concrete type, grouped by response key, in order (GraphQL spec, CollectFields). */
export function collectFields(
  context: CollectContext,
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
