import { Kind, type DocumentNode, type SelectionSetNode } from 'graphql';

/**
 * The gateway adds fields of its own to a view's document under aliases of the form
 * `hub<Purpose>__<field>` (`PLACEHOLDER_ALIAS`, `TYPENAME_ALIAS`, `COUNT_PROBE_ALIAS`) and reads
 * the agencies' answer by those names: the count probe decides whether a small roster is withheld,
 * the concrete type which implementation's rules apply. A client using such an alias itself would
 * put its own value where the gateway reads its probe (`hubCount__totalCount: __typename` made a
 * roster of 4 look unthresholded), so the whole family is reserved.
 */
export const RESERVED_ALIAS = /^hub[A-Za-z]*__/;

const checked = new WeakMap<DocumentNode, string | null>();

/**
 * The first alias of the document (operations and fragments) in the reserved family, or undefined.
 * Pure; memoised per document object (Apollo Server hands the same parsed document to every
 * request with the same text).
 */
export function reservedAliasIn(document: DocumentNode): string | undefined {
  const known = checked.get(document);
  if (known !== undefined) return known ?? undefined;
  let found: string | null = null;
  // Iterative: a document's nesting is bounded by the limits gate, but no recursion is needed here.
  const pending: SelectionSetNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION)
      pending.push(definition.selectionSet);
  }
  while (pending.length && found === null) {
    const selectionSet = pending.pop()!;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD && selection.alias && RESERVED_ALIAS.test(selection.alias.value)) {
        found = selection.alias.value;
        break;
      }
      if (selection.kind !== Kind.FRAGMENT_SPREAD && selection.selectionSet) pending.push(selection.selectionSet);
    }
  }
  checked.set(document, found);
  return found ?? undefined;
}
