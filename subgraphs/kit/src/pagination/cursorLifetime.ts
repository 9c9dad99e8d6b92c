const HOUR = 3_600_000;

/** A cursor opens for 24 h after it was issued, unless `CURSOR_TTL` says otherwise. */
export const DEFAULT_CURSOR_TTL_MS = 24 * HOUR;
/**
 * The shortest `CURSOR_TTL` a subgraph accepts. A page the gateway caches carries cursors issued
 * when it was fetched, and the gateway keeps no entry longer than 1 h (`MAX_CACHE_TTL_SECONDS`,
 * agreed in @cdo-hub/contracts and enforced when the cache rules load): a cursor in a page served
 * at the last moment of its entry still opens for at least another hour.
 */
export const MIN_CURSOR_TTL_MS = 2 * HOUR;
/** A cursor is a bookmark into a list, not a credential to keep: a month is ample. */
export const MAX_CURSOR_TTL_MS = 30 * 24 * HOUR;

/** `90m`, `24h`, `7d` (or seconds, `s`) in milliseconds; undefined for anything else. */
export function parseCursorTtlMs(text: string): number | undefined {
  const match = /^(\d+)\s*(s|m|h|d)$/.exec(text.trim());
  return match
    ? Number(match[1]) * { s: 1_000, m: 60_000, h: HOUR, d: 24 * HOUR }[match[2] as 's' | 'm' | 'h' | 'd']
    : undefined;
}
