import type { AgencyDatabase } from '../database';

/**
 * Which entities a row change touches: a changed school is `School:<code>`, and — because the
 * district's totals are computed from its schools — `District:<district_code>` too. A ref without
 * a key column names the whole type (e.g. price observations, which no key identifies).
 */
export interface ChangeRule {
  table: string;
  /** `keyColumn` of the changed row, or `keySql` (an expression over `{row}`) for a key held elsewhere. */
  refs: { type: string; keyColumn?: string; keySql?: string }[];
}

const CHANGES_TABLE = 'hub_changes';

/**
 * Installs change capture in an agency's database: a `hub_changes` table fed by triggers on the
 * tables the rules name, for inserts, updates (old and new keys) and deletes — so a change made
 * by the subgraph's own mutations and one made directly by a batch job are captured alike.
 * Idempotent; triggers are replaced when the rules change.
 */
export function installChangeCapture(db: AgencyDatabase, rules: readonly ChangeRule[]): void {
  db.raw
    .exec(`CREATE TABLE IF NOT EXISTS ${CHANGES_TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, key TEXT, at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
CREATE TABLE IF NOT EXISTS hub_change_cursor (name TEXT PRIMARY KEY, last_id INTEGER NOT NULL);`);
  db.transaction(() => {
    for (const { name } of db.all<{ name: string }>(
      `SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'hub_capture_%'`,
    ))
      db.raw.exec(`DROP TRIGGER "${name}"`);
    for (const rule of rules) {
      if (!/^\w+$/.test(rule.table)) throw new Error(`not a table name: ${rule.table}`);
      const inserts = (row: 'NEW' | 'OLD') =>
        rule.refs
          .map(
            (ref) =>
              `INSERT INTO ${CHANGES_TABLE} (type, key) VALUES ('${ref.type.replace(/'/g, "''")}', ${ref.keyColumn ? `${row}."${ref.keyColumn}"` : ref.keySql ? ref.keySql.replaceAll('{row}', row) : 'NULL'});`,
          )
          .join('\n  ');
      db.raw.exec(
        `CREATE TRIGGER hub_capture_${rule.table}_insert AFTER INSERT ON ${rule.table} BEGIN\n  ${inserts('NEW')}\nEND;`,
      );
      db.raw.exec(
        `CREATE TRIGGER hub_capture_${rule.table}_update AFTER UPDATE ON ${rule.table} BEGIN\n  ${inserts('NEW')}\n  ${inserts('OLD')}\nEND;`,
      );
      db.raw.exec(
        `CREATE TRIGGER hub_capture_${rule.table}_delete AFTER DELETE ON ${rule.table} BEGIN\n  ${inserts('OLD')}\nEND;`,
      );
    }
  });
}

export interface CapturedChange {
  id: number;
  type: string;
  key: string | null;
}

/** Changes after the published cursor, oldest first. */
export function pendingChanges(db: AgencyDatabase, limit = 1000): CapturedChange[] {
  const cursor =
    db.get<{ last_id: number }>(`SELECT last_id FROM hub_change_cursor WHERE name = 'published'`)?.last_id ?? 0;
  return db.all<CapturedChange>(`SELECT id, type, key FROM ${CHANGES_TABLE} WHERE id > ? ORDER BY id LIMIT ?`, [
    cursor,
    limit,
  ]);
}

/** Records that changes up to `lastId` reached the gateways, and forgets them. */
export function markPublished(db: AgencyDatabase, lastId: number): void {
  db.transaction(() => {
    db.run(
      `INSERT INTO hub_change_cursor (name, last_id) VALUES ('published', ?) ON CONFLICT (name) DO UPDATE SET last_id = excluded.last_id`,
      [lastId],
    );
    db.run(`DELETE FROM ${CHANGES_TABLE} WHERE id <= ?`, [lastId]);
  });
}
