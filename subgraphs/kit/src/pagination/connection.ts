import { hubError } from '@cdo-hub/contracts';
import { createHash } from 'node:crypto';
import type { CursorCodec } from './cursors';

/**
 * Relay-style connections (`{ nodes, pageInfo { hasNextPage endCursor }, totalCount }`) over
 * keyset pagination: a cursor holds the last row's unique sort key, so pages stay stable while
 * rows are added and deep pages cost no OFFSET scan.
 *
 * The sort key is sealed (`cursorSealing.ts`): a cursor reveals nothing, expires, and is bound to
 * the list that issued it (the list and its filters) and to the call's row scope, so one handed
 * to another list — or to the same list under other filters, where the sort key would be read
 * against different rows — is refused instead of silently starting somewhere arbitrary.
 */

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Page {
  first: number;
  /** The sort key after which the page starts, or null for the first page. */
  afterKey: string | null;
  /** The list the page belongs to (see `listIdentity`); its cursors are only valid for it. */
  listId: string;
  /** Seals the page's cursors for this call (agency, list, row scope). */
  cursors: CursorCodec;
}

export interface Connection<Node> {
  nodes: Node[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** A function so the count query only runs when the client selects `totalCount`. */
  totalCount: () => number | Promise<number>;
}

export type ListFilterValue = string | number | boolean | null | undefined;

/** Longer identities are shortened to a digest, so loader keys and logs stay small. */
const MAX_LIST_ID_LENGTH = 80;

/**
 * A short, stable name for a list and the filters that shape it, e.g.
 * `Query.schools|districtCode=110108|type=PRIMARY`. Filters left out (null or undefined) are not
 * named, and the rest are sorted, so the same list gets the same identity however it is written.
 * Child lists name their field, not the parent: one query passes the same `after` to every
 * sibling, and each must accept it.
 */
export function listIdentity(list: string, filters: Readonly<Record<string, ListFilterValue>> = {}): string {
  const named = Object.entries(filters)
    .filter((entry): entry is [string, string | number | boolean] => entry[1] != null)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `|${name}=${value}`);
  const identity = list + named.join('');
  return identity.length <= MAX_LIST_ID_LENGTH ? identity : `${list}#${digest(identity, 16)}`;
}

function digest(text: string, length: number): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url').slice(0, length);
}

/**
 * Validates `first`/`after` for the list `listId` and turns them into a page request. `cursors`
 * is the call's codec (`context.cursors`): it reads `after` and seals the page's `endCursor`.
 */
export function toPage(args: PageArgs, listId: string, cursors: CursorCodec, maximum = MAX_PAGE_SIZE): Page {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > maximum) {
    throw hubError('PAGE_SIZE_OUT_OF_RANGE', `first must be between 0 and ${maximum}; got ${first}.`, { maximum });
  }
  return { first, afterKey: args.after ? cursors.read(args.after, listId) : null, listId, cursors };
}

/**
 * Builds a connection from up to `first + 1` rows fetched in sort order: the extra row only
 * tells whether a next page exists.
 */
export function toConnection<Row, Node>(
  rows: readonly Row[],
  page: Page,
  sortKey: (row: Row) => string,
  toNode: (row: Row) => Node,
  totalCount: () => number | Promise<number>,
): Connection<Node> {
  const pageRows = rows.slice(0, page.first);
  const last = pageRows[pageRows.length - 1];
  return {
    nodes: pageRows.map(toNode),
    pageInfo: {
      hasNextPage: rows.length > page.first,
      endCursor: last === undefined ? null : page.cursors.issue(page.listId, sortKey(last)),
    },
    totalCount,
  };
}
