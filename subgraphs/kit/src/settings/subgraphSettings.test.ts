import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { findAgency } from '../agencies';
import { repoRoot } from '../paths/repoRoot';
import { AGENCY_SETTINGS, SUBGRAPH_SETTINGS } from './subgraphSettings';

/** Every non-test TypeScript file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the subgraph settings', () => {
  it('are the only place a subgraph reads its environment (so the configuration reference lists them all)', () => {
    const subgraphs = join(repoRoot(), 'subgraphs');
    const settingsDir = join(__dirname);
    const direct: string[] = [];
    for (const pkg of readdirSync(subgraphs)) {
      for (const file of sources(join(subgraphs, pkg, 'src'))) {
        if (file.startsWith(settingsDir)) continue;
        readFileSync(file, 'utf8')
          .split('\n')
          .forEach((line, index) => {
            if (/\benv\.[A-Z][A-Z0-9_]*|\benv\[/.test(line)) direct.push(`${relative(subgraphs, file)}:${index + 1}`);
          });
      }
    }
    expect(direct).toEqual([]);
  });

  it('read a secret from the file `<NAME>_FILE` names when the variable itself is unset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'subgraph-settings-'));
    try {
      writeFileSync(join(dir, 'key'), 'k'.repeat(40) + '\n');
      const env = { HUB_SUBGRAPH_SIGNING_KEY_FILE: join(dir, 'key') };
      expect(SUBGRAPH_SETTINGS.HUB_SUBGRAPH_SIGNING_KEY.read(env)).toBe('k'.repeat(40));
      expect(SUBGRAPH_SETTINGS.HUB_SUBGRAPH_SIGNING_KEY.read({ ...env, HUB_SUBGRAPH_SIGNING_KEY: 'direct' })).toBe(
        'direct',
      );
      expect(() => SUBGRAPH_SETTINGS.HUB_SUBGRAPH_SIGNING_KEY.read({})).toThrow(/HUB_SUBGRAPH_SIGNING_KEY/);
      expect(SUBGRAPH_SETTINGS.HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS.read({})).toEqual([]);
      // Previous keys one per line: the file may list several (two rotations within one CURSOR_TTL).
      writeFileSync(join(dir, 'previous'), `${'p'.repeat(40)}\n${'q'.repeat(40)}\n`);
      expect(
        SUBGRAPH_SETTINGS.HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS.read({
          HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS_FILE: join(dir, 'previous'),
        }),
      ).toEqual(['p'.repeat(40), 'q'.repeat(40)]);
      expect(
        SUBGRAPH_SETTINGS.HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS.read({ HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS: 'r'.repeat(40) }),
      ).toEqual(['r'.repeat(40)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuse values a subgraph cannot start with, naming the variable', () => {
    expect(SUBGRAPH_SETTINGS.HUB_SIGNATURE_MAX_AGE_MS.read({})).toBeUndefined();
    expect(SUBGRAPH_SETTINGS.HUB_SIGNATURE_MAX_AGE_MS.read({ HUB_SIGNATURE_MAX_AGE_MS: '5000' })).toBe(5000);
    expect(() => SUBGRAPH_SETTINGS.HUB_SIGNATURE_MAX_AGE_MS.read({ HUB_SIGNATURE_MAX_AGE_MS: '999' })).toThrow(
      /HUB_SIGNATURE_MAX_AGE_MS/,
    );
    const science = findAgency('science');
    expect(AGENCY_SETTINGS.PORT.read(science, {})).toBe(4003);
    expect(() => AGENCY_SETTINGS.PORT.read(science, { SCIENCE_PORT: 'x' })).toThrow(/SCIENCE_PORT/);
  });

  it("derive an agency's URL and database from its port and the data folder unless set", () => {
    const education = findAgency('education');
    expect(AGENCY_SETTINGS.URL.read(education, { EDUCATION_PORT: '5001' })).toBe('http://127.0.0.1:5001/graphql');
    expect(AGENCY_SETTINGS.DB.read(education, { HUB_DATA_DIR: '/srv/hub' })).toBe('/srv/hub/education.sqlite');
    expect(SUBGRAPH_SETTINGS.HUB_GATEWAY_URL.read({ HUB_GATEWAY_URL: ' http://a/ , ,http://b/' })).toEqual([
      'http://a/',
      'http://b/',
    ]);
    expect(SUBGRAPH_SETTINGS.REDIS_URL.read({ REDIS_URL: 'redis://a:1,redis://b:2' })).toBe('redis://a:1');
  });
});
