import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SeedSize } from '../world';
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
    this.insert = db.raw.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => '@' + c).join(', ')})`);
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

/** The size a database was seeded with, or undefined when it does not exist or was never seeded. */
export function seededSize(file: string): SeedSize | undefined {
  if (!existsSync(file)) return undefined;
  const db = new AgencyDatabase(file, { readonly: true });
  try {
    return db.get<{ value: SeedSize }>("SELECT value FROM seed_info WHERE key = 'size'")?.value;
  } catch {
    return undefined;
  } finally {
    db.close();
  }
}
