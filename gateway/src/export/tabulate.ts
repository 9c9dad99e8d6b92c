/**
 * Turning a GraphQL answer into one table, for exports (CSV): the answer must hold exactly one
 * list — a list field, or a connection's `nodes` / `edges` — whose items become the rows. Objects
 * inside a row flatten into dotted columns (`school.name`), lists of scalars join into one cell,
 * and anything outside the list (page info, counts, the list's parents) is not part of the table.
 * Cursors never reach a table: a connection's `edges` give their `node`s, and `pageInfo` lies
 * outside the list.
 */

export type Cell = string | number | boolean | null;

export interface Table {
  /** Where the list was in the answer, dotted (`students.nodes`). */
  listPath: string;
  /** Column names relative to a row, in the order the answer first gives them. */
  columns: string[];
  rows: Cell[][];
}

export type Tabulation = { table: Table } | { refused: string };

/** Separator of a list of scalars inside one cell. */
export const LIST_SEPARATOR = '; ';

/** The columns of the list found at a path (response keys), or undefined when unknown. */
export type ColumnsOfList = (listPath: readonly string[]) => readonly string[] | undefined;

/**
 * `columns` (from the operation, see `selection.ts`: given, or asked for the list found) fixes the
 * table's columns; without them (an operation sent by hash only) they are the ones the rows hold,
 * in order of appearance.
 */
export function tabulate(data: unknown, columns?: readonly string[] | ColumnsOfList): Tabulation {
  if (!isObject(data)) return { refused: 'the answer holds no data' };
  const lists: { path: string[]; items: unknown[] }[] = [];
  findLists(data, [], lists);
  if (lists.length === 0) return { refused: 'the answer holds no list to make rows of' };
  if (lists.length > 1)
    return {
      refused: `the answer holds ${lists.length} lists (${lists.map((l) => l.path.join('.')).join(', ')}); a table needs exactly one: select one list, or ask for application/json`,
    };
  const { path, items } = lists[0]!;
  const isEdges = path[path.length - 1] === 'edges';
  const seen = new Map<string, number>();
  const rows: Map<string, Cell>[] = [];
  for (const item of items) {
    const row = new Map<string, Cell>();
    const source = isEdges && isObject(item) ? item.node : item;
    if (isObject(source)) {
      const problem = flatten(source, [], row);
      if (problem) return { refused: `each row holds a list of objects (${problem}); a table cannot hold it` };
    } else if (Array.isArray(source)) {
      return { refused: `the list ${path.join('.')} holds lists; a table cannot hold them` };
    } else {
      row.set(path[path.length - 1]!, source === undefined ? null : (source as Cell));
    }
    for (const column of row.keys()) if (!seen.has(column)) seen.set(column, seen.size);
    rows.push(row);
  }
  // A null object reads as a null leaf: where other rows show its fields, its own column goes.
  const fixed = typeof columns === 'function' ? columns(path) : columns;
  const names = fixed ? [...fixed] : [...seen.keys()].filter((name) => !hasChild(seen, name));
  return {
    table: {
      listPath: path.join('.'),
      columns: names,
      rows: rows.map((row) => names.map((name) => cellAt(row, name))),
    },
  };
}

/** Every list below `value`, not looking inside lists (their items are rows, judged later). */
function findLists(value: Record<string, unknown>, path: string[], into: { path: string[]; items: unknown[] }[]): void {
  for (const [key, child] of Object.entries(value)) {
    if (Array.isArray(child)) into.push({ path: [...path, key], items: child });
    else if (isObject(child)) findLists(child, [...path, key], into);
  }
}

/** Flattens one row's object into dotted columns; answers where a list of objects was met. */
function flatten(value: Record<string, unknown>, path: string[], into: Map<string, Cell>): string | undefined {
  for (const [key, child] of Object.entries(value)) {
    const column = [...path, key];
    if (isObject(child)) {
      const problem = flatten(child, column, into);
      if (problem) return problem;
    } else if (Array.isArray(child)) {
      if (child.some((item) => isObject(item) || Array.isArray(item))) return column.join('.');
      into.set(column.join('.'), child.map((item) => (item === null ? '' : String(item))).join(LIST_SEPARATOR));
    } else {
      into.set(column.join('.'), child === undefined ? null : (child as Cell));
    }
  }
  return undefined;
}

/** A row's cell for a column; a column below an object that is null reads null. */
function cellAt(row: Map<string, Cell>, column: string): Cell {
  return row.get(column) ?? null;
}

function hasChild(columns: Map<string, number>, name: string): boolean {
  for (const column of columns.keys()) if (column.startsWith(`${name}.`)) return true;
  return false;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
