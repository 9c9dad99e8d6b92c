import type { Cell, Table } from './tabulate';

/**
 * A table as CSV (RFC 4180: comma-separated, CRLF line ends, fields with commas, quotes or line
 * breaks quoted and their quotes doubled), led by a UTF-8 byte order mark so spreadsheet programs
 * read Chinese text as UTF-8. Text that a spreadsheet would run as a formula (starting with `=`,
 * `+`, `-`, `@`, a tab or a carriage return) is prefixed with `'` — an agency's value must never
 * become a formula on an analyst's desk; numbers are written as numbers.
 */
export function toCsv(table: Table): string {
  return `\uFEFF${csvRows([table.columns])}${csvRows(table.rows)}`;
}

/** Rows of CSV, each ended by CRLF: the body of a table, or a further page of it. */
export function csvRows(rows: readonly Cell[][]): string {
  let text = '';
  for (const row of rows) text += `${row.map(field).join(',')}\r\n`;
  return text;
}

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

function field(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
