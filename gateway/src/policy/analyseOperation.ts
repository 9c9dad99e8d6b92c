import {
  getNamedType,
  getOperationAST,
  isAbstractType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { fragmentsOf } from '../selections';

/** One place in an operation where a field is read. */
export interface FieldSelection {
  /** `Type.field`, always on a concrete object type. */
  coordinate: string;
  /** Response keys from the root (aliases included, list indices left out). */
  path: readonly string[];
  node: FieldNode;
}

/**
 * Which operation of a document runs: the one Apollo Server resolved, passed down as is; or, for
 * a caller holding only a name (tools, tests, a subgraph fetch's own document), the operation
 * graphql-js's `getOperationAST` picks — the named one, or the only one.
 */
export type OperationRef = OperationDefinitionNode | string | null | undefined;

/** The operation `operation` designates in `document`; undefined when it names none (or, unnamed, the document has several). */
export function resolveOperation(document: DocumentNode, operation: OperationRef): OperationDefinitionNode | undefined {
  if (typeof operation === 'object' && operation) return operation;
  return getOperationAST(document, operation) ?? undefined;
}

/**
 * Every field coordinate an operation reads, with the response paths it reads it at. Named and
 * inline fragments are followed; a selection on an interface or union is expanded to each
 * concrete type it can be, so every decision is made on a concrete `Type.field`. Introspection
 * fields (`__typename`, `__schema`, `__type`) are left to the introspection stage.
 */
export function analyseOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationOrName?: OperationRef,
): FieldSelection[] {
  const operation = resolveOperation(document, operationOrName);
  if (!operation) return [];
  const fragments = fragmentsOf(document);
  const root = schema.getRootType(operation.operation);
  if (!root) return [];
  const selections: FieldSelection[] = [];

  const visit = (
    selectionSet: SelectionSetNode,
    types: readonly GraphQLObjectType[],
    path: readonly string[],
    seenFragments: ReadonlySet<string>,
  ) => {
    for (const selection of selectionSet.selections) {
      switch (selection.kind) {
        case Kind.FIELD: {
          const name = selection.name.value;
          if (name.startsWith('__')) break;
          const responsePath = [...path, selection.alias?.value ?? name];
          for (const type of types) {
            const field = type.getFields()[name];
            if (!field) continue;
            selections.push({ coordinate: `${type.name}.${name}`, path: responsePath, node: selection });
            if (selection.selectionSet)
              visit(
                selection.selectionSet,
                concreteTypes(schema, getNamedType(field.type) as GraphQLCompositeType),
                responsePath,
                seenFragments,
              );
          }
          break;
        }
        case Kind.INLINE_FRAGMENT: {
          const narrowed = selection.typeCondition ? narrow(schema, types, selection.typeCondition.name.value) : types;
          visit(selection.selectionSet, narrowed, path, seenFragments);
          break;
        }
        case Kind.FRAGMENT_SPREAD: {
          const fragment = fragments.get(selection.name.value);
          if (!fragment || seenFragments.has(fragment.name.value)) break;
          visit(
            fragment.selectionSet,
            narrow(schema, types, fragment.typeCondition.name.value),
            path,
            new Set([...seenFragments, fragment.name.value]),
          );
          break;
        }
        default:
      }
    }
  };
  visit(operation.selectionSet, [root], [], new Set());
  return selections;
}

function concreteTypes(schema: GraphQLSchema, type: GraphQLCompositeType): GraphQLObjectType[] {
  if (isObjectType(type)) return [type];
  if (isAbstractType(type)) return [...schema.getPossibleTypes(type)];
  return [];
}

/** The types in `types` that a fragment on `condition` applies to. */
function narrow(schema: GraphQLSchema, types: readonly GraphQLObjectType[], condition: string): GraphQLObjectType[] {
  const conditionType = schema.getType(condition);
  if (!conditionType) return [];
  const allowed = new Set(concreteTypes(schema, conditionType as GraphQLCompositeType).map((t) => t.name));
  return types.filter((type) => allowed.has(type.name));
}
