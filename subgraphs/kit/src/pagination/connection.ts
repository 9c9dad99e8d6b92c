import { hubError } from '@cdo-hub/gateway/errors';

/**
 * Relay-style connections (`{ nodes, pageInfo { hasNextPage endCursor }, totalCount }`) over
 * keyset pagination: a cursor is an opaque encoding of the last row's unique sort key, so pages
 * stay stable while rows are added and deep pages cost no OFFSET scan.
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
}

export interface Connection<Node> {
  nodes: Node[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** A function so the count query only runs when the client selects `totalCount`. */
  totalCount: () => number | Promise<number>;
}

const CURSOR_PREFIX = 'k1:';

export function encodeCursor(sortKey: string): string {
  return Buffer.from(CURSOR_PREFIX + sortKey, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.startsWith(CURSOR_PREFIX) || encodeCursor(decoded.slice(CURSOR_PREFIX.length)) !== cursor) {
    throw hubError('INVALID_CURSOR', `"${cursor.slice(0, 40)}" is not a cursor issued by this list.`);
  }
  return decoded.slice(CURSOR_PREFIX.length);
}

/** Validates `first`/`after` and turns them into a page request. */
export function toPage(args: PageArgs, maximum = MAX_PAGE_SIZE): Page {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > maximum) {
    throw hubError('PAGE_SIZE_OUT_OF_RANGE', `first must be between 0 and ${maximum}; got ${first}.`, { maximum });
  }
  return { first, afterKey: args.after ? decodeCursor(args.after) : null };
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
    pageInfo: { hasNextPage: rows.length > page.first, endCursor: last === undefined ? null : encodeCursor(sortKey(last)) },
    totalCount,
  };
}
