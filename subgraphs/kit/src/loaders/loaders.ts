import DataLoader from 'dataloader';
import type { AgencyDatabase } from '../database';
import { type Connection, type Page, toConnection } from '../pagination';

/**
 * Per-request DataLoaders. Each distinct batch query (and each distinct page request for child
 * lists) gets one loader, created on first use, so every entity reference and every nested list
 * under N parents costs one SQL statement, not N.
 */
export class RequestLoaders {
  private readonly loaders = new Map<string, DataLoader<string, unknown>>();

  constructor(readonly db: AgencyDatabase) {}

  get<V>(name: string, batch: (keys: readonly string[]) => Promise<readonly (V | Error)[]>): DataLoader<string, V> {
    let loader = this.loaders.get(name);
    if (!loader) {
      loader = new DataLoader<string, unknown>(batch, { maxBatchSize: 1000 });
      this.loaders.set(name, loader);
    }
    return loader as DataLoader<string, V>;
  }

  /**
   * Rows by a unique key: `SELECT * FROM table WHERE keyColumn IN (...)`, one statement per batch.
   * Missing keys resolve to null.
   */
  rowsByKey<Row extends Record<string, unknown>>(table: string, keyColumn: string): DataLoader<string, Row | null> {
    return this.get<Row | null>(`rowsByKey:${table}.${keyColumn}`, async (keys) => {
      const rows = this.db.all<Row>(
        `SELECT * FROM ${table} WHERE ${keyColumn} IN (SELECT value FROM json_each(?))`,
        [JSON.stringify(keys)],
      );
      const byKey = new Map(rows.map((row) => [String(row[keyColumn]), row]));
      return keys.map((key) => byKey.get(key) ?? null);
    });
  }

  /**
   * All rows per parent key, unpaged (for short lists such as a firm's key labs), in sort order.
   */
  rowsByParent<Row extends Record<string, unknown>>(table: string, parentColumn: string, orderBy: string, where = '1 = 1'): DataLoader<string, Row[]> {
    return this.get<Row[]>(`rowsByParent:${table}.${parentColumn}:${where}`, async (keys) => {
      const rows = this.db.all<Row>(
        `SELECT * FROM ${table} WHERE ${parentColumn} IN (SELECT value FROM json_each(?)) AND (${where}) ORDER BY ${orderBy}`,
        [JSON.stringify(keys)],
      );
      const byParent = new Map<string, Row[]>(keys.map((key) => [key, []]));
      for (const row of rows) byParent.get(String(row[parentColumn]))?.push(row);
      return keys.map((key) => byParent.get(key)!);
    });
  }

  /**
   * One page of children for each parent, in a single statement: a window function numbers each
   * parent's rows in sort order (after the cursor) and keeps the first `first + 1` of each.
   */
  childPages<Row extends Record<string, unknown>>(spec: ChildListSpec, page: Page): DataLoader<string, Row[]> {
    const name = `childPages:${spec.table}.${spec.parentColumn}:${spec.where ?? ''}:${page.first}:${page.afterKey ?? ''}`;
    return this.get<Row[]>(name, async (keys) => {
      const rows = this.db.all<Row>(
        `SELECT * FROM (
           SELECT t.*, ROW_NUMBER() OVER (PARTITION BY t.${spec.parentColumn} ORDER BY t.${spec.sortColumn}) AS page_row
           FROM ${spec.table} t
           WHERE t.${spec.parentColumn} IN (SELECT value FROM json_each(?))
             AND (? IS NULL OR t.${spec.sortColumn} > ?)
             AND (${spec.where ?? '1 = 1'})
         ) WHERE page_row <= ? ORDER BY ${spec.parentColumn}, page_row`,
        [JSON.stringify(keys), page.afterKey, page.afterKey, page.first + 1],
      );
      const byParent = new Map<string, Row[]>(keys.map((key) => [key, []]));
      for (const row of rows) byParent.get(String(row[spec.parentColumn]))?.push(row);
      return keys.map((key) => byParent.get(key)!);
    });
  }

  /** Number of children per parent, in one grouped statement. */
  childCounts(spec: ChildListSpec): DataLoader<string, number> {
    return this.get<number>(`childCounts:${spec.table}.${spec.parentColumn}:${spec.where ?? ''}`, async (keys) => {
      const rows = this.db.all<{ parent: string; count: number }>(
        `SELECT ${spec.parentColumn} AS parent, COUNT(*) AS count FROM ${spec.table}
         WHERE ${spec.parentColumn} IN (SELECT value FROM json_each(?)) AND (${spec.where ?? '1 = 1'})
         GROUP BY ${spec.parentColumn}`,
        [JSON.stringify(keys)],
      );
      const counts = new Map(rows.map((row) => [String(row.parent), row.count]));
      return keys.map((key) => counts.get(key) ?? 0);
    });
  }
}

/**
 * A child list: rows of `table` whose `parentColumn` names the parent, ordered by the unique
 * `sortColumn` (which is also the cursor key). `where` is a fixed SQL condition written by the
 * subgraph's own code — never user input.
 */
export interface ChildListSpec {
  table: string;
  parentColumn: string;
  sortColumn: string;
  where?: string;
}

/** The connection of one parent's children, batched with its siblings through `loaders`. */
export async function childConnection<Row extends Record<string, unknown>, Node>(
  loaders: RequestLoaders,
  spec: ChildListSpec,
  page: Page,
  parentKey: string,
  toNode: (row: Row) => Node,
): Promise<Connection<Node>> {
  const rows = await loaders.childPages<Row>(spec, page).load(parentKey);
  return toConnection(rows, page, (row) => String(row[spec.sortColumn]), toNode, () => loaders.childCounts(spec).load(parentKey));
}

/**
 * A root list: rows of `table` matching `where` (a fixed condition with `?` parameters), one
 * page in `sortColumn` order, and a count statement only when `totalCount` is selected.
 */
export function rootConnection<Row extends Record<string, unknown>, Node>(
  db: AgencyDatabase,
  spec: { table: string; sortColumn: string; where: string; params: readonly unknown[] },
  page: Page,
  toNode: (row: Row) => Node,
): Connection<Node> {
  const rows = db.all<Row>(
    `SELECT * FROM ${spec.table} WHERE (${spec.where}) AND (? IS NULL OR ${spec.sortColumn} > ?) ORDER BY ${spec.sortColumn} LIMIT ?`,
    [...spec.params, page.afterKey, page.afterKey, page.first + 1],
  );
  let count: number | undefined;
  return toConnection(rows, page, (row) => String(row[spec.sortColumn]), toNode, () => {
    count ??= db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${spec.table} WHERE (${spec.where})`, spec.params)!.n;
    return count;
  });
}
