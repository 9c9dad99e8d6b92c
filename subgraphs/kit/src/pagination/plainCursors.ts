import { createHash } from 'node:crypto';

/**
 * The cursors of before sealing: base64url of `k2:<list digest>:<sort key>`, readable by anyone
 * who decodes them. Issued only with `HUB_CURSOR_SEALING=off`, a switch for tests that must show
 * what an unsealed cursor gives away; a subgraph refuses to start with it in production.
 */

const PLAIN_PREFIX = 'k2:';
const LIST_DIGEST_LENGTH = 10;

function listDigest(listId: string): string {
  return createHash('sha256').update(listId, 'utf8').digest('base64url').slice(0, LIST_DIGEST_LENGTH);
}

export function encodePlainCursor(listId: string, sortKey: string): string {
  return Buffer.from(`${PLAIN_PREFIX}${listDigest(listId)}:${sortKey}`, 'utf8').toString('base64url');
}

/** The sort key of a plain cursor issued by list `listId`, or undefined for anything else. */
export function decodePlainCursor(cursor: string, listId: string): string | undefined {
  if (typeof cursor !== 'string') return undefined;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const head = `${PLAIN_PREFIX}${listDigest(listId)}:`;
  const sortKey = decoded.slice(head.length);
  // Re-encoding catches text that only decodes by accident (base64 ignores stray characters).
  return decoded.startsWith(head) && encodePlainCursor(listId, sortKey) === cursor ? sortKey : undefined;
}
