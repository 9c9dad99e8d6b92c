import type { CursorSettings } from './cursors';

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

function parseDurationMs(text: string): number | undefined {
  const match = /^(\d+)\s*(s|m|h|d)$/.exec(text.trim());
  return match
    ? Number(match[1]) * { s: 1_000, m: 60_000, h: HOUR, d: 24 * HOUR }[match[2] as 's' | 'm' | 'h' | 'd']
    : undefined;
}

export interface CursorSettingsFromEnv {
  settings: CursorSettings;
  /** Said loudly at start when set: why this subgraph's cursors are not what production issues. */
  warning?: string;
}

/**
 * `HUB_CURSOR_SEALING` (`on`, the default; `off` for tests only — refused with
 * `NODE_ENV=production`) and `CURSOR_TTL` (`24h` by default, from 2 h to 30 d). Throws on a
 * value it cannot accept, so a subgraph does not start with it.
 */
export function cursorSettingsFromEnv(env: NodeJS.ProcessEnv): CursorSettingsFromEnv {
  const sealing = (env.HUB_CURSOR_SEALING ?? 'on').trim().toLowerCase();
  if (sealing !== 'on' && sealing !== 'off')
    throw new Error(`HUB_CURSOR_SEALING must be on or off, not ${env.HUB_CURSOR_SEALING}`);
  if (sealing === 'off' && env.NODE_ENV === 'production') {
    throw new Error(
      'HUB_CURSOR_SEALING=off is for tests only: with NODE_ENV=production a subgraph issues sealed cursors, or does not start',
    );
  }
  const ttlMs = env.CURSOR_TTL ? parseDurationMs(env.CURSOR_TTL) : DEFAULT_CURSOR_TTL_MS;
  if (ttlMs === undefined)
    throw new Error(`CURSOR_TTL must be a duration such as 24h, 90m or 7d, not ${env.CURSOR_TTL}`);
  if (ttlMs < MIN_CURSOR_TTL_MS || ttlMs > MAX_CURSOR_TTL_MS) {
    throw new Error(
      `CURSOR_TTL must lie between 2h and 30d, not ${env.CURSOR_TTL}: a cursor must outlive every cached page that carries it (the gateway caches for at most 1h)`,
    );
  }
  const settings: CursorSettings = { sealing: sealing === 'on', ttlMs };
  return sealing === 'off'
    ? {
        settings,
        warning:
          "HUB_CURSOR_SEALING=off: this subgraph issues PLAIN cursors that show every list's sort keys to whoever decodes them. For tests only; never in production.",
      }
    : { settings };
}
