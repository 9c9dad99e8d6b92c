import { randomBytes } from 'node:crypto';
import type { AgencyDatabase } from './agencyDatabase';

/** A surrogate ordering column: a random key per row, unique within the row's parent. */
export interface SurrogateOrderColumn {
  table: string;
  /** The column naming the row's parent (a school for its roster). */
  parentColumn: string;
  /** The surrogate key column, e.g. `roster_key`. */
  column: string;
  /** Name of the unique index on (parentColumn, column) that keyset pages walk. */
  index: string;
}

const NAME = /^\w+$/;

/** 16 hex digits (64 random bits): the form the seed and the column's default give too. */
function randomOrderKey(): string {
  return randomBytes(8).toString('hex');
}

/**
 * Brings a database built before `column` existed up to date without losing a row: adds the
 * column, gives every row a random key (from the operating system's CSPRNG: in an agency's own
 * database the order must not be predictable from anything), indexes it, and installs a trigger
 * that keys rows inserted later without one. The table's own triggers (change capture) are set
 * aside while the keys are written and put back unchanged, so filling a column no one reads
 * publishes no changes. One transaction; a database that already has the column is left alone
 * (only a missing index is added). Returns the number of rows keyed. Needs a rowid table.
 */
export function addSurrogateOrderColumn(db: AgencyDatabase, spec: SurrogateOrderColumn): number {
  for (const name of [spec.table, spec.parentColumn, spec.column, spec.index])
    if (!NAME.test(name)) throw new Error(`not an SQL name: ${name}`);
  const { table, parentColumn, column, index } = spec;
  const columns = db.all<{ name: string }>(`SELECT name FROM pragma_table_info(?)`, [table]).map((c) => c.name);
  if (!columns.length) throw new Error(`no table ${table} to add ${column} to`);
  if (columns.includes(column)) {
    db.raw.exec(`CREATE UNIQUE INDEX IF NOT EXISTS ${index} ON ${table} (${parentColumn}, ${column})`);
    return 0;
  }
  return db.transaction(() => {
    const triggers = db.all<{ name: string; sql: string }>(
      `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?`,
      [table],
    );
    for (const trigger of triggers) db.raw.exec(`DROP TRIGGER "${trigger.name.replace(/"/g, '""')}"`);
    db.raw.exec(`ALTER TABLE ${table} ADD COLUMN ${column} TEXT`);
    const rowids = db.all<{ id: number }>(`SELECT rowid AS id FROM ${table}`);
    const used = new Set<string>();
    const write = db.raw.prepare(`UPDATE ${table} SET ${column} = ? WHERE rowid = ?`);
    for (const { id } of rowids) {
      let key: string;
      do key = randomOrderKey();
      while (used.has(key));
      used.add(key);
      write.run(key, id);
    }
    for (const trigger of triggers) db.raw.exec(trigger.sql);
    db.raw.exec(`CREATE UNIQUE INDEX ${index} ON ${table} (${parentColumn}, ${column})`);
    // ALTER TABLE cannot give an added column a random default; a trigger keys later rows instead.
    db.raw.exec(`CREATE TRIGGER ${table}_${column}_given AFTER INSERT ON ${table} WHEN NEW.${column} IS NULL BEGIN
  UPDATE ${table} SET ${column} = lower(hex(randomblob(8))) WHERE rowid = NEW.rowid;
END`);
    return rowids.length;
  });
}
