import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { WORLD_SEED, type SeedSize } from '../world';
import { AgencyDatabase } from './agencyDatabase';

export type SeedProgress = (table: string, rowsWritten: number) => void;

/** Inserts rows into one table with one prepared statement, reporting progress every 10k rows. */
export class TableWriter {
  private count = 0;
  private readonly insert;

  constructor(
    private readonly db: AgencyDatabase,
    readonly table: string,
    private readonly columns: readonly string[],
    private readonly progress?: SeedProgress,
  ) {
    this.insert = db.raw.prepare(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => '@' + c).join(', ')})`,
    );
  }

  write(row: Record<string, unknown>): void {
    this.insert.run(row);
    this.count++;
    if (this.count % 10_000 === 0) this.progress?.(this.table, this.count);
  }

  get rows(): number {
    return this.count;
  }
}

export interface SeedPlan {
  agency: string;
  size: SeedSize;
  ddl: string;
  /**
   * Version of the agency's seed generator: bump it whenever a change makes the generator write
   * other rows, so databases seeded by the old one are known to be stale (see `seedPlanHash`).
   */
  generatorVersion: string;
  /** Writes every row; returns row counts per table. Runs inside one transaction. */
  fill(db: AgencyDatabase, progress?: SeedProgress): Record<string, number>;
}

export interface SeedResult {
  file: string;
  rows: Record<string, number>;
  milliseconds: number;
}

/**
 * Builds an agency's database from scratch into a temporary file and renames it into place, so a
 * crash mid-seed never leaves a half-filled database where the subgraph would open it.
 */
export function seedDatabase(file: string, plan: SeedPlan, progress?: SeedProgress): SeedResult {
  const started = performance.now();
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.seeding-${process.pid}`;
  rmSync(temporary, { force: true });
  const db = new AgencyDatabase(temporary);
  try {
    db.raw.pragma('journal_mode = OFF');
    db.raw.pragma('synchronous = OFF');
    db.raw.exec(plan.ddl);
    db.raw.exec('CREATE TABLE seed_info (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    const rows = db.transaction(() => plan.fill(db, progress));
    const info = db.raw.prepare('INSERT INTO seed_info (key, value) VALUES (?, ?)');
    info.run('agency', plan.agency);
    info.run('size', plan.size);
    info.run('world_seed', String(WORLD_SEED));
    info.run('schema_hash', seedPlanHash(plan));
    info.run('seeded_at', new Date().toISOString());
    info.run('rows', JSON.stringify(rows));
    db.raw.exec('ANALYZE');
    db.raw.pragma('journal_mode = WAL');
    db.close();
    for (const suffix of ['-wal', '-shm']) rmSync(file + suffix, { force: true });
    renameSync(temporary, file);
    return { file, rows, milliseconds: Math.round(performance.now() - started) };
  } catch (error) {
    if (db.raw.open) db.close();
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * What a database's tables and rows were built from: its DDL and its generator's version. Two
 * databases with the same hash, size and world seed hold the same rows; a different hash means
 * the database predates a change to the agency's tables or seed and should be seeded again.
 */
export function seedPlanHash(plan: Pick<SeedPlan, 'ddl' | 'generatorVersion'>): string {
  return createHash('sha256')
    .update(plan.ddl, 'utf8')
    .update('\0generator ', 'utf8')
    .update(plan.generatorVersion, 'utf8')
    .digest('hex');
}

/** What `seedDatabase` recorded about how a database was seeded. */
export interface SeedInfo {
  agency: string;
  size: SeedSize;
  /** Undefined for databases seeded before the world seed was recorded. */
  worldSeed: number | undefined;
  /** Undefined for databases seeded before the hash was recorded: treat them as stale. */
  schemaHash: string | undefined;
  seededAt: string;
}

/** How a database was seeded, or undefined when it does not exist or was never (fully) seeded. */
export function readSeedInfo(file: string): SeedInfo | undefined {
  if (!existsSync(file)) return undefined;
  let db: AgencyDatabase | undefined;
  try {
    db = new AgencyDatabase(file, { readonly: true });
    const values = new Map(
      db.all<{ key: string; value: string }>('SELECT key, value FROM seed_info').map((row) => [row.key, row.value]),
    );
    const agency = values.get('agency');
    const size = values.get('size');
    const seededAt = values.get('seeded_at');
    if (agency === undefined || size === undefined || seededAt === undefined) return undefined;
    const worldSeed = values.get('world_seed');
    return {
      agency,
      size: size as SeedSize,
      worldSeed: worldSeed === undefined ? undefined : Number(worldSeed),
      schemaHash: values.get('schema_hash'),
      seededAt,
    };
  } catch {
    // Not an SQLite file, or no seed_info table: not a database the hub seeded.
    return undefined;
  } finally {
    db?.close();
  }
}

/** The size a database was seeded with, or undefined when it does not exist or was never seeded. */
export function seededSize(file: string): SeedSize | undefined {
  return readSeedInfo(file)?.size;
}
