import {
  Kind,
  parse,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { fieldsByResponseKey, fragmentsOf, mergedSelection } from '../selections';

/**
 * Reading an export's operation without the schema: which operation runs, and a list's columns —
 * the leaves its rows select (through inline fragments and fragment spreads, type conditions
 * ignored), dotted by response key, in the operation's order. Columns come from the
 * operation, not from the data, so every page of an export has the same ones and an object that
 * is null in every row still has its columns.
 */

export function parseOperation(
  query: string,
  operationName: string | undefined,
): { document: DocumentNode; operation: OperationDefinitionNode } | undefined {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch {
    return undefined;
  }
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operationName
    ? operations.find((o) => o.name?.value === operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  return operation ? { document, operation } : undefined;
}

/** The merged sub-selection of the fields at one response key. */
function subSelection(fields: readonly FieldNode[]): SelectionSetNode | undefined {
  const merged = mergedSelection(fields);
  return merged.selections.length ? merged : undefined;
}

/**
 * The columns of the list at `listPath` (response keys from the root; a connection's `edges`
 * stand for their `node`s), or undefined when the path is not in the operation.
 */
export function listColumns(
  query: string,
  operationName: string | undefined,
  listPath: readonly string[],
): string[] | undefined {
  return listColumnsOf(query, operationName)(listPath);
}

/**
 * `listColumns` for every page of one export: the operation is parsed when first asked, and each
 * list's columns are worked out once (an export's pages all hold the same list).
 */
export function listColumnsOf(
  query: string,
  operationName: string | undefined,
): (listPath: readonly string[]) => string[] | undefined {
  let operation:
    { operation: OperationDefinitionNode; fragments: Map<string, FragmentDefinitionNode> } | null | undefined;
  const known = new Map<string, string[] | undefined>();
  return (listPath) => {
    const key = listPath.join('.');
    if (known.has(key)) return known.get(key);
    if (operation === undefined) {
      const parsed = parseOperation(query, operationName);
      operation = parsed ? { operation: parsed.operation, fragments: fragmentsOf(parsed.document) } : null;
    }
    const columns = operation ? columnsAt(operation.operation, operation.fragments, listPath) : undefined;
    known.set(key, columns);
    return columns;
  };
}

function columnsAt(
  operation: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
  listPath: readonly string[],
): string[] | undefined {
  let selection: SelectionSetNode | undefined = operation.selectionSet;
  const path = listPath[listPath.length - 1] === 'edges' ? [...listPath, 'node'] : listPath;
  for (const key of path) {
    const fields: FieldNode[] | undefined = selection && fieldsByResponseKey(selection, fragments).get(key);
    if (!fields) return undefined;
    selection = subSelection(fields);
  }
  if (!selection) return [listPath[listPath.length - 1]!];
  const columns: string[] = [];
  const collect = (set: SelectionSetNode, prefix: string[]) => {
    for (const [key, fields] of fieldsByResponseKey(set, fragments)) {
      const below = subSelection(fields);
      if (below) collect(below, [...prefix, key]);
      else columns.push([...prefix, key].join('.'));
    }
  };
  collect(selection, []);
  return columns;
}
