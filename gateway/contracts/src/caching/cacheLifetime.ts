/**
 * The longest a gateway keeps a cached answer, in seconds. It binds both sides: a cached page
 * carries the cursors its agency sealed when it was fetched, so every subgraph refuses a
 * `CURSOR_TTL` shorter than this plus an hour (`MIN_CURSOR_TTL_MS` in the subgraph kit), and the
 * gateway refuses cache rules whose TTLs exceed it — a cursor in any page the cache serves still
 * opens for at least another hour.
 */
export const MAX_CACHE_TTL_SECONDS = 3600;
