/** Day arithmetic and number formatting the development-reform seed shares. */

/** Dates are drawn and compared as day numbers (days since 1970-01-01) and formatted once per day. */
const DAY_MS = 86_400_000;

export function dayNumber(iso: string): number {
  return Date.parse(iso) / DAY_MS;
}

/** YYYY-MM-DD of a day number, memoised: the seed formats the same few thousand days again and again. */
const isoDates = new Map<number, string>();
export function isoDate(day: number): string {
  let iso = isoDates.get(day);
  if (iso === undefined) {
    iso = new Date(day * DAY_MS).toISOString().slice(0, 10);
    isoDates.set(day, iso);
  }
  return iso;
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
