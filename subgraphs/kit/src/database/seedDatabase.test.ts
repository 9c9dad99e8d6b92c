import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WORLD_SEED } from '../world';
import { readSeedInfo, seedDatabase, seededSize, seedPlanHash, TableWriter, type SeedPlan } from './seedDatabase';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cdo-hub-seed-info-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const plan: SeedPlan = {
  agency: 'education',
  size: 'small',
  ddl: 'CREATE TABLE schools (code TEXT PRIMARY KEY);',
  generatorVersion: '3',
  fill: (db) => {
    const schools = new TableWriter(db, 'schools', ['code']);
    schools.write({ code: '2111000001' });
    return { schools: schools.rows };
  },
};

describe('seed metadata', () => {
  it('records the agency, size, world seed, plan hash and time of seeding', () => {
    const file = join(dir, 'education.sqlite');
    const before = new Date().toISOString();
    seedDatabase(file, plan);
    const info = readSeedInfo(file)!;
    expect(info).toEqual({
      agency: 'education',
      size: 'small',
      worldSeed: WORLD_SEED,
      schemaHash: seedPlanHash(plan),
      seededAt: expect.any(String),
    });
    expect(info.seededAt >= before && info.seededAt <= new Date().toISOString()).toBe(true);
    expect(seededSize(file)).toBe('small');
  });

  it('hashes what decides the rows: the DDL and the generator version, not the size', () => {
    const hash = seedPlanHash(plan);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const bench: SeedPlan = { ...plan, size: 'bench' };
    expect(seedPlanHash(bench)).toBe(hash);
    expect(seedPlanHash({ ...plan, generatorVersion: '4' })).not.toBe(hash);
    expect(seedPlanHash({ ...plan, ddl: plan.ddl + '\nCREATE INDEX schools_by_code ON schools (code);' })).not.toBe(
      hash,
    );
    // The parts are kept apart: moving text from the DDL into the version changes the hash.
    expect(seedPlanHash({ ddl: 'CREATE TABLE a (b TEXT);3', generatorVersion: '' })).not.toBe(
      seedPlanHash({ ddl: 'CREATE TABLE a (b TEXT);', generatorVersion: '3' }),
    );
  });

  it('reads a database seeded before the world seed and hash were recorded as one with neither', () => {
    const file = join(dir, 'old.sqlite');
    const db = new Database(file);
    db.exec(
      "CREATE TABLE seed_info (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO seed_info VALUES ('agency', 'science'), ('size', 'bench'), ('seeded_at', '2026-01-01T00:00:00.000Z')",
    );
    db.close();
    expect(readSeedInfo(file)).toEqual({
      agency: 'science',
      size: 'bench',
      worldSeed: undefined,
      schemaHash: undefined,
      seededAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it('knows nothing of a missing file, a file that is not SQLite, or a database the hub did not seed', () => {
    const notSqlite = join(dir, 'notes.sqlite');
    writeFileSync(notSqlite, 'not a database');
    const unseeded = join(dir, 'unseeded.sqlite');
    new Database(unseeded).exec('CREATE TABLE t (x)').close();
    for (const file of [join(dir, 'missing.sqlite'), notSqlite, unseeded]) {
      expect(readSeedInfo(file)).toBeUndefined();
      expect(seededSize(file)).toBeUndefined();
    }
  });
});
