import DataLoader from 'dataloader';
import type { AgencyDatabase } from '../database';
import { tracedBatch } from '../tracing';
import { type Connection, type Page, toConnection } from '../pagination';

/**
 * Per-request DataLoaders. Each distinct batch query (and each distinct page request for child
 * lists) gets one loader, created on first use, so every entity reference and every nested list
 * under N parents costs one SQL statement, not N. A loader's name is everything its statement is
 * built from: two requests that differ in any part of it must never share a batch.
 */
export class RequestLoaders {
  private readonly loaders = new Map<string, DataLoader<string, unknown>>();

  constructor(readonly db: AgencyDatabase) {}

  get<V>(name: string, batch: (keys: readonly string[]) => Promise<readonly (V | Error)[]>): DataLoader<string, V> {
    let loader = this.loaders.get(name);
    if (!loader) {
      loader = new DataLoader<string, unknown>(tracedBatch(name, batch), { maxBatchSize: 1000 });
      this.loaders.set(name, loader);
    }
    return loader as DataLoader<string, V>;
  }

  /**
   * Rows by a unique key: `SELECT * FROM table WHERE keyColumn IN (...)`, one statement per batch.
   * Missing keys resolve to null.
   */
  rowsByKey<Row extends Record<string, unknown>>(table: string, keyColumn: string): DataLoader<string, Row | null> {
    return this.get<Row | null>(loaderName('rowsByKey', [table, keyColumn]), async (keys) => {
      const rows = this.db.all<Row>(`SELECT * FROM ${table} WHERE ${keyColumn} IN (SELECT value FROM json_each(?))`, [
        JSON.stringify(keys),
      ]);
      const byKey = new Map(rows.map((row) => [String(row[keyColumn]), row]));
      return keys.map((key) => byKey.get(key) ?? null);
    });
  }

  /**
   * Figures per key (a district's counts and sums) from one grouped statement per request.
   * `sql` must filter with `IN (SELECT value FROM json_each(?))` — the first parameter, the keys —
   * and select the key as `keyColumn`; `params` follow it. Keys with no row get `empty(key)`.
   */
  figuresByKey<Row extends Record<string, unknown>>(
    name: string,
    keyColumn: string,
    sql: string,
    empty: (key: string) => Row,
    params: readonly unknown[] = [],
  ): DataLoader<string, Row> {
    return this.get<Row>(`figuresByKey:${name}:${JSON.stringify(params)}`, async (keys) => {
      const rows = this.db.all<Row>(sql, [JSON.stringify(keys), ...params]);
      const byKey = new Map(rows.map((row) => [String(row[keyColumn]), row]));
      return keys.map((key) => byKey.get(key) ?? empty(key));
    });
  }

  /**
   * All rows per parent key, unpaged (for short lists such as a firm's key labs), in sort order.
   */
  rowsByParent<Row extends Record<string, unknown>>(
    table: string,
    parentColumn: string,
    orderBy: string,
    where = '1 = 1',
  ): DataLoader<string, Row[]> {
    return this.get<Row[]>(loaderName('rowsByParent', [table, parentColumn, orderBy, where]), async (keys) => {
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
   * One page of children for each parent, in a single statement. For each parent key a
   * correlated `LIMIT` subquery walks that parent's stretch of the (parentColumn, sortColumn)
   * index, so the statement reads only the rows it returns — a district with 10,000 projects
   * costs no more than a school with 10 teachers. Works on views too (no rowid needed): the sort
   * key is unique within a parent.
   */
  childPages<Row extends Record<string, unknown>>(spec: ChildListSpec, page: Page): DataLoader<string, Row[]> {
    const where = spec.where ?? '1 = 1';
    return this.get<Row[]>(
      loaderName('childPages', [...specParts(spec), page.first, page.afterKey, page.listId]),
      async (keys) => {
        const rows = this.db.all<Row>(
          `SELECT t.* FROM json_each(?) AS parent
         JOIN ${spec.table} AS t ON t.${spec.parentColumn} = parent.value AND t.${spec.sortColumn} IN (
           SELECT c.${spec.sortColumn} FROM ${spec.table} AS c
           WHERE c.${spec.parentColumn} = parent.value AND (? IS NULL OR c.${spec.sortColumn} > ?) AND (${where})
           ORDER BY c.${spec.sortColumn} LIMIT ?)
         ORDER BY t.${spec.parentColumn}, t.${spec.sortColumn}`,
          [JSON.stringify(keys), page.afterKey, page.afterKey, page.first + 1],
        );
        const byParent = new Map<string, Row[]>(keys.map((key) => [key, []]));
        for (const row of rows) byParent.get(String(row[spec.parentColumn]))?.push(row);
        return keys.map((key) => byParent.get(key)!);
      },
    );
  }

  /** Number of children per parent, in one grouped statement. */
  childCounts(spec: ChildListSpec): DataLoader<string, number> {
    return this.get<number>(loaderName('childCounts', specParts(spec)), async (keys) => {
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
 * JSON keeps the parts apart: a plain join could not tell `a:b` + `c` from `a` + `b:c`, and SQL
 * fragments (`where`, `orderBy`) may contain any separator.
 */
function loaderName(kind: string, parts: readonly unknown[]): string {
  return `${kind}:${JSON.stringify(parts)}`;
}

/** Every field of a child-list spec, in a fixed order whatever order the object was written in. */
function specParts(spec: ChildListSpec): unknown[] {
  return [spec.table, spec.parentColumn, spec.sortColumn, spec.where ?? null];
}

/**
 * A child list: rows of `table` whose `parentColumn` names the parent, ordered by `sortColumn`
 * (unique within a parent; also the cursor key), best served by an index on (parentColumn,
 * sortColumn). `where` is a fixed SQL condition written by the subgraph's own code — never user
 * input — over unqualified column names.
 */
export interface ChildListSpec {
  table: string;
  parentColumn: string;
  sortColumn: string;
  where?: string;
}

/**
 * The connection of one parent's children, batched with its siblings through `loaders`. The
 * count is one grouped statement when selected, unless the caller already has it (`totalCount`).
 * Cursors are bound to `page.listId`, which names the list and its filters but not the parent.
 */
export async function childConnection<Row extends Record<string, unknown>, Node>(
  loaders: RequestLoaders,
  spec: ChildListSpec,
  page: Page,
  parentKey: string,
  toNode: (row: Row) => Node,
  totalCount: () => number | Promise<number> = () => loaders.childCounts(spec).load(parentKey),
): Promise<Connection<Node>> {
  const rows = await loaders.childPages<Row>(spec, page).load(parentKey);
  return toConnection(rows, page, (row) => String(row[spec.sortColumn]), toNode, totalCount);
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
  return toConnection(
    rows,
    page,
    (row) => String(row[spec.sortColumn]),
    toNode,
    () => {
      count ??= db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${spec.table} WHERE (${spec.where})`, spec.params)!.n;
      return count;
    },
  );
}
