import { MAX_CACHE_TTL_SECONDS } from '@cdo-hub/contracts';
import { DEFAULT_CURSOR_TTL_MS, MIN_CURSOR_TTL_MS } from './cursorLifetime';
import { cursorSettingsFromEnv } from './cursorSettings';

describe('cursor settings', () => {
  it('seal by default, for 24 h', () => {
    expect(cursorSettingsFromEnv({})).toEqual({ settings: { sealing: true, ttlMs: 24 * 3_600_000 } });
    expect(DEFAULT_CURSOR_TTL_MS).toBe(86_400_000);
    expect(cursorSettingsFromEnv({ CURSOR_TTL: '2h', HUB_CURSOR_SEALING: 'on' })).toEqual({
      settings: { sealing: true, ttlMs: 7_200_000 },
    });
    expect(cursorSettingsFromEnv({ CURSOR_TTL: '7d' }).settings.ttlMs).toBe(7 * 86_400_000);
  });

  it('turn sealing off for tests only, loudly, and never in production', () => {
    const off = cursorSettingsFromEnv({ HUB_CURSOR_SEALING: 'off', NODE_ENV: 'test' });
    expect(off.settings.sealing).toBe(false);
    expect(off.warning).toMatch(/PLAIN cursors.*never in production/);
    expect(() => cursorSettingsFromEnv({ HUB_CURSOR_SEALING: 'off', NODE_ENV: 'production' })).toThrow(
      /for tests only/,
    );
    expect(() => cursorSettingsFromEnv({ HUB_CURSOR_SEALING: 'no' })).toThrow(/must be on or off/);
    expect(cursorSettingsFromEnv({ HUB_CURSOR_SEALING: 'on', NODE_ENV: 'production' }).settings.sealing).toBe(true);
  });

  it('refuse a CURSOR_TTL a cached page could outlive, or that is no duration', () => {
    for (const ttl of ['1h', '119m', '0s', '31d'])
      expect(() => cursorSettingsFromEnv({ CURSOR_TTL: ttl })).toThrow(/between 2h and 30d/);
    for (const ttl of ['soon', '24', '-3h', '1.5h'])
      expect(() => cursorSettingsFromEnv({ CURSOR_TTL: ttl })).toThrow(/must be a duration/);
  });

  it('keep the shortest cursor life an hour beyond the longest a gateway caches a page', () => {
    expect(MIN_CURSOR_TTL_MS).toBeGreaterThanOrEqual(MAX_CACHE_TTL_SECONDS * 1000 + 3_600_000);
  });
});
