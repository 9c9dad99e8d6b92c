import {
  Kind,
  print,
  validate,
  visit,
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { fieldsByResponseKey, fragmentsOf } from '../selections';
import { parseOperation } from './selection';

/**
 * Server-side paging of an export: an operation whose one list is a connection is asked page
 * after page by the gateway itself — the whole connection from the client's `after` on, in pages
 * of the largest size allowed (`first` says how many per page, not how many in all). Its
 * connection field is given `first: <page size>, after: $cdoExportAfter` and a
 * `cdoExportPage: pageInfo { hasNextPage endCursor }` selection; the client's own `after`, if
 * any, becomes the first page's value. Each page is then an ordinary request of the consumer's
 * (identity, policy, rate limit, audit record); the cursors stay inside the gateway.
 */

export const EXPORT_AFTER_VARIABLE = 'cdoExportAfter';
export const EXPORT_PAGE_ALIAS = 'cdoExportPage';

export interface PagedExport {
  /** The operation as the gateway asks it, page after page. */
  query: string;
  /** Response keys from the root to the connection field. */
  connectionPath: string[];
  /** The `after` of the first page: the client's own, or null. */
  firstAfter: unknown;
}

/**
 * The paged form of a query whose only connection (a field selecting `nodes` or `edges`) lies
 * outside any list, or undefined when the operation is not one (a mutation, several connections,
 * a connection reached through a fragment spread, names already taken, or a rewrite the schema
 * would not validate).
 */
export function pagedExportOf(
  schema: GraphQLSchema,
  query: string,
  operationName: string | undefined,
  variables: Record<string, unknown>,
  pageSize: number,
): PagedExport | undefined {
  const parsed = parseOperation(query, operationName);
  if (!parsed || parsed.operation.operation !== 'query') return undefined;
  const { document, operation } = parsed;
  if (operation.variableDefinitions?.some((v) => v.variable.name.value === EXPORT_AFTER_VARIABLE)) return undefined;
  const fragments = fragmentsOf(document);
  const connections: { field: FieldNode; path: string[] }[] = [];
  let throughSpread = false;
  const find = (set: SelectionSetNode, path: string[]) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        throughSpread = true;
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        find(selection.selectionSet, path);
        continue;
      }
      if (!selection.selectionSet) continue;
      const key = selection.alias?.value ?? selection.name.value;
      const below = fieldsByResponseKey(selection.selectionSet, fragments);
      const isConnection = [...below.values()].some((fields) =>
        fields.some((f) => f.name.value === 'nodes' || f.name.value === 'edges'),
      );
      if (isConnection) connections.push({ field: selection, path: [...path, key] });
      else find(selection.selectionSet, [...path, key]);
    }
  };
  find(operation.selectionSet, []);
  if (connections.length !== 1 || throughSpread) return undefined;
  const { field: connection, path } = connections[0]!;
  if (fieldsByResponseKey(connection.selectionSet!, fragments).has(EXPORT_PAGE_ALIAS)) return undefined;

  const given = connection.arguments?.find((a) => a.name.value === 'after');
  let firstAfter: unknown = null;
  if (given?.value.kind === Kind.STRING) firstAfter = given.value.value;
  else if (given?.value.kind === Kind.VARIABLE) firstAfter = variables[given.value.name.value] ?? null;
  else if (given && given.value.kind !== Kind.NULL) return undefined;

  const firstArgument: ArgumentNode = {
    kind: Kind.ARGUMENT,
    name: { kind: Kind.NAME, value: 'first' },
    value: { kind: Kind.INT, value: String(pageSize) },
  };
  const afterArgument: ArgumentNode = {
    kind: Kind.ARGUMENT,
    name: { kind: Kind.NAME, value: 'after' },
    value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: EXPORT_AFTER_VARIABLE } },
  };
  const pageInfo: FieldNode = {
    kind: Kind.FIELD,
    alias: { kind: Kind.NAME, value: EXPORT_PAGE_ALIAS },
    name: { kind: Kind.NAME, value: 'pageInfo' },
    selectionSet: {
      kind: Kind.SELECTION_SET,
      selections: ['hasNextPage', 'endCursor'].map((name) => ({
        kind: Kind.FIELD,
        name: { kind: Kind.NAME, value: name },
      })),
    },
  };
  let rewritten = visit(document, {
    OperationDefinition(node) {
      if (node !== operation) return undefined;
      return {
        ...node,
        variableDefinitions: [
          ...(node.variableDefinitions ?? []),
          {
            kind: Kind.VARIABLE_DEFINITION,
            variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: EXPORT_AFTER_VARIABLE } },
            type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'String' } },
          },
        ],
      };
    },
    Field(node) {
      if (node !== connection) return undefined;
      return {
        ...node,
        arguments: [
          ...(node.arguments ?? []).filter((a) => a.name.value !== 'after' && a.name.value !== 'first'),
          firstArgument,
          afterArgument,
        ],
        selectionSet: { ...node.selectionSet!, selections: [...node.selectionSet!.selections, pageInfo] },
      };
    },
  });
  // The client's own `after` and `first` variables, now unused, go (`after`'s value is the first page's).
  for (const argument of connection.arguments ?? [])
    if ((argument.name.value === 'after' || argument.name.value === 'first') && argument.value.kind === Kind.VARIABLE)
      rewritten = withoutUnusedVariable(rewritten, argument.value.name.value);
  if (validate(schema, rewritten).length) return undefined;
  return { query: print(rewritten), connectionPath: path, firstAfter };
}

/** The page info the gateway asked for, from one page's data. */
export function exportPageInfo(
  data: unknown,
  connectionPath: readonly string[],
): { hasNextPage: boolean; endCursor: string | null } | undefined {
  let value: unknown = data;
  for (const key of connectionPath) value = (value as Record<string, unknown> | null | undefined)?.[key];
  const info = (value as Record<string, unknown> | null | undefined)?.[EXPORT_PAGE_ALIAS] as
    { hasNextPage?: unknown; endCursor?: unknown } | undefined;
  if (!info || typeof info.hasNextPage !== 'boolean') return undefined;
  return { hasNextPage: info.hasNextPage, endCursor: typeof info.endCursor === 'string' ? info.endCursor : null };
}

function withoutUnusedVariable(document: DocumentNode, name: string): DocumentNode {
  let used = false;
  visit(document, {
    VariableDefinition: () => false,
    Variable(node) {
      if (node.name.value === name) used = true;
    },
  });
  if (used) return document;
  return visit(document, {
    VariableDefinition(node) {
      return node.variable.name.value === name ? null : undefined;
    },
  });
}
