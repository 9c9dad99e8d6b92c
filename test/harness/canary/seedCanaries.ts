import { AgencyDatabase } from '@cdo-hub/subgraph-kit';
import { join } from 'node:path';
import { seedAgencyDatabases } from '../agencyProcess';
import { CANARY_TABLES, INTERNAL_ROW_KEYS, type CanaryForm } from './canaryColumns';

/** One seeded value and what it stands for. */
export interface Canary {
  /** What is looked for: the text canary, or the number as JSON writes it. */
  mark: string;
  /** The field it was seeded into (for an internal row key, its label). */
  coordinate: string;
  /** Other fields whose values contain the mark (e.g. the student number, `G` + ID number). */
  alsoIn: string[];
  agency: string;
  table: string;
  row: number;
  /** The row's attributes a grant's scope can restrict (`districtCode`). */
  scope: Record<string, string>;
  /** An internal row key: only the owning agency may see it. */
  internal: boolean;
}

/** Marks have fixed shapes, so a text is searched with two regular expressions and a lookup. */
const TEXT_MARK = /CNRY[a-z]{3}\d{5}/g;
const NUMBER_MARK = /(?<![\d.])7\d{7}(?:\.25)?(?!\d|\.\d)/g;

export class CanaryRegistry {
  readonly byMark = new Map<string, Canary>();

  add(canary: Canary): void {
    if (this.byMark.has(canary.mark)) throw new Error(`canary ${canary.mark} seeded twice`);
    this.byMark.set(canary.mark, canary);
  }

  get size(): number {
    return this.byMark.size;
  }

  /** Every canary mark in `text`, with where it starts. */
  find(text: string): { canary: Canary; index: number }[] {
    const found: { canary: Canary; index: number }[] = [];
    for (const pattern of [TEXT_MARK, NUMBER_MARK]) {
      for (const match of text.matchAll(pattern)) {
        const canary = this.byMark.get(match[0]);
        if (!canary) continue;
        // Eight digits inside a long hex run (a SHA-256 in the audit chain, an ETag) are chance,
        // not a value: with 29,582 canaries and thousands of hashes they turn up every few runs.
        // Hex runs are decoded and scanned on their own (scanChannels.ts), so an encoded value is still found.
        // The same holds for a UUID's random segments (a request id once began with a canary's digits).
        if (pattern === NUMBER_MARK && insideRandomToken(text, match.index!, match[0].length)) continue;
        found.push({ canary, index: match.index! });
      }
    }
    return found;
  }

  /** Canaries seeded into one coordinate. */
  of(coordinate: string): Canary[] {
    return [...this.byMark.values()].filter((c) => c.coordinate === coordinate);
  }
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * Whether text[index, index+length) lies inside a random token, where eight digits are chance,
 * not data: a run of 16 or more hex characters holding a letter (a SHA-256, an ETag) or a UUID
 * (a request id; 122 random bits).
 */
function insideRandomToken(text: string, index: number, length: number): boolean {
  const isHex = (c: string | undefined) => c !== undefined && /[0-9a-fA-F]/.test(c);
  let start = index;
  let end = index + length;
  while (isHex(text[start - 1])) start--;
  while (isHex(text[end])) end++;
  if (end - start >= 16 && /[a-fA-F]/.test(text.slice(start, end))) return true;
  for (const match of text.matchAll(UUID)) {
    if (match.index! <= index && index + length <= match.index! + match[0].length) return true;
  }
  return false;
}

const ROW_DIGITS = 5;

export function canaryValue(
  form: CanaryForm,
  tag: string,
  row: number,
  original: unknown,
): { value: string | number; mark: string } {
  const padded = String(row).padStart(ROW_DIGITS, '0');
  switch (form.kind) {
    case 'text':
      return { value: `CNRY${tag}${padded}`, mark: `CNRY${tag}${padded}` };
    case 'date': {
      // The row's own year stays, so yearOnly releases what it released before and nothing of the canary.
      const year = /^\d{4}/.exec(String(original))?.[0] ?? '2000';
      return { value: `${year}-CNRY${tag}${padded}`, mark: `CNRY${tag}${padded}` };
    }
    case 'int':
    case 'float': {
      // 7 FF RRRR 7: the trailing 7 keeps every round(10^k) step from leaving an Int canary as it was.
      if (row >= 10_000)
        throw new Error(`numeric canaries number rows with 4 digits; row ${row} is too many (seed the small dataset)`);
      const whole = 70_000_000 + form.family * 100_000 + row * 10 + 7;
      const value = form.kind === 'int' ? whole : whole + 0.25;
      return { value, mark: JSON.stringify(value) };
    }
    default: {
      const unreachable: never = form;
      throw new Error(`unknown canary form ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Seeds the three agency databases (small) into `dataDir`, as `hub seed` does. */
export const seedSmallDatasets = seedAgencyDatabases;

/**
 * Overwrites every column of CANARY_TABLES (and the internal row keys that exist) in the agency
 * databases of `dataDir` with canaries, after the normal seed and before any subgraph opens them.
 * The seeders' own output is left as it is; only this copy changes.
 */
export function writeCanaries(dataDir: string): CanaryRegistry {
  const registry = new CanaryRegistry();
  const agencies = [...new Set(CANARY_TABLES.map((t) => t.agency))];
  for (const agency of agencies) {
    const db = new AgencyDatabase(join(dataDir, `${agency}.sqlite`));
    try {
      db.transaction(() => {
        for (const table of CANARY_TABLES.filter((t) => t.agency === agency)) {
          const declaredTypes = new Map(
            db
              .all<{ name: string; type: string }>(`PRAGMA table_info(${table.table})`)
              .map((c) => [c.name, c.type.toUpperCase()]),
          );
          const internal = INTERNAL_ROW_KEYS.filter(
            (k) => k.agency === agency && k.table === table.table && declaredTypes.has(k.column),
          );
          const originals = table.columns.map((c) => c.column);
          const rows = db.all<Record<string, unknown> & { rowid: number; district: string }>(
            `SELECT r.rowid AS rowid, ${table.districtSql} AS district, ${originals.map((c) => `r.${c}`).join(', ')} FROM ${table.table} r ORDER BY r.rowid`,
          );
          if (rows.length >= 10 ** ROW_DIGITS)
            throw new Error(
              `${table.table} has ${rows.length} rows: canaries number rows with ${ROW_DIGITS} digits (seed the small dataset)`,
            );
          const assignments: string[] = [];
          for (const column of table.columns)
            assignments.push(column.column, ...(column.derived ?? []).map((d) => d.column));
          for (const key of internal) assignments.push(key.column);
          const update = `UPDATE ${table.table} SET ${assignments.map((c) => `${c} = ?`).join(', ')} WHERE rowid = ?`;
          rows.forEach((original, index) => {
            const row = index + 1;
            const scope = { districtCode: String(original.district) };
            const values: (string | number)[] = [];
            for (const column of table.columns) {
              const { value, mark } = canaryValue(column.form, column.tag, row, original[column.column]);
              values.push(value);
              const derived = (column.derived ?? []).map((d) => ({ ...d, value: d.from(String(value)) }));
              values.push(...derived.map((d) => d.value));
              registry.add({
                mark,
                coordinate: column.coordinate,
                alsoIn: derived.map((d) => d.coordinate),
                agency,
                table: table.table,
                row,
                scope,
                internal: false,
              });
            }
            for (const key of internal) {
              // Same storage class as the column declares, so the subgraph reads it as it would its own.
              const form: CanaryForm = /INT/.test(declaredTypes.get(key.column) ?? '')
                ? { kind: 'int', family: key.family }
                : { kind: 'text' };
              const { value, mark } = canaryValue(form, key.tag, row, undefined);
              values.push(value);
              registry.add({
                mark,
                coordinate: key.label,
                alsoIn: [],
                agency,
                table: table.table,
                row,
                scope,
                internal: true,
              });
            }
            db.run(update, [...values, original.rowid]);
          });
        }
      });
    } finally {
      db.close();
    }
  }
  return registry;
}

/**
 * After the hub has started: the internal row keys must still hold their canaries (a subgraph that
 * rewrote them at start would leave the oracle blind to them). Returns what is wrong, if anything.
 */
export function checkInternalKeysKept(dataDir: string, registry: CanaryRegistry): string[] {
  const problems: string[] = [];
  for (const key of INTERNAL_ROW_KEYS) {
    const db = new AgencyDatabase(join(dataDir, `${key.agency}.sqlite`), { readonly: true });
    try {
      if (!db.all<{ name: string }>(`PRAGMA table_info(${key.table})`).some((c) => c.name === key.column)) continue;
      const values = db.all<{ value: unknown }>(`SELECT ${key.column} AS value FROM ${key.table}`);
      const unknown = values.filter(
        (v) => !registry.byMark.has(typeof v.value === 'number' ? JSON.stringify(v.value) : String(v.value)),
      );
      if (unknown.length)
        problems.push(
          `${key.table}.${key.column}: ${unknown.length} of ${values.length} values are not canaries (e.g. ${String(unknown[0]!.value)}) — rewritten after seeding?`,
        );
    } finally {
      db.close();
    }
  }
  return problems;
}
