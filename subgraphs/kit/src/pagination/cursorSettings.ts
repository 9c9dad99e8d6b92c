import { SUBGRAPH_SETTINGS } from '../settings/subgraphSettings';
import type { CursorSettings } from './cursors';

export interface CursorSettingsFromEnv {
  settings: CursorSettings;
  /** Said loudly at start when set: why this subgraph's cursors are not what production issues. */
  warning?: string;
}

/**
 * `HUB_CURSOR_SEALING` (`on`, the default; `off` for tests only — refused with
 * `NODE_ENV=production`) and `CURSOR_TTL` (`24h` by default, from 2 h to 30 d), read through the
 * kit's settings declaration. Throws on a value it cannot accept, so a subgraph does not start with it.
 */
export function cursorSettingsFromEnv(env: NodeJS.ProcessEnv): CursorSettingsFromEnv {
  const sealing = SUBGRAPH_SETTINGS.HUB_CURSOR_SEALING.read(env);
  if (!sealing && SUBGRAPH_SETTINGS.NODE_ENV.read(env)) {
    throw new Error(
      'HUB_CURSOR_SEALING=off is for tests only: with NODE_ENV=production a subgraph issues sealed cursors, or does not start',
    );
  }
  const settings: CursorSettings = { sealing, ttlMs: SUBGRAPH_SETTINGS.CURSOR_TTL.read(env) };
  return sealing
    ? { settings }
    : {
        settings,
        warning:
          "HUB_CURSOR_SEALING=off: this subgraph issues PLAIN cursors that show every list's sort keys to whoever decodes them. For tests only; never in production.",
      };
}
