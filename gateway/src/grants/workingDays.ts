import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';

/**
 * Working days for Chinese government deadlines: weekends and public holidays do not count,
 * official make-up workdays (调休上班) on a Saturday or Sunday do. Dates are plain calendar dates
 * (`YYYY-MM-DD`), handled as UTC day numbers so the local time zone never matters.
 */
export interface WorkCalendar {
  /** YYYY-MM-DD dates that are public holidays (days off even if Mon–Fri). */
  holidays: ReadonlySet<string>;
  /** YYYY-MM-DD weekend dates that are official make-up workdays. */
  workdays: ReadonlySet<string>;
  /** Years the calendar covers; outside them only weekends are known. */
  years: ReadonlySet<number>;
  /** Where it came from (file path), for messages. */
  source: string;
}

const DAY_MS = 86_400_000;
const BEIJING_OFFSET_MS = 8 * 3_600_000;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

const dateList = z.array(z.string().regex(DATE_PATTERN, 'expected a quoted "YYYY-MM-DD" date')).default([]);
const yearSchema = z.object({ holidays: dateList, workdays: dateList }).strict();
const calendarSchema = z
  .object({ years: z.record(z.string().regex(/^\d{4}$/, 'year keys must be four-digit years'), yearSchema) })
  .strict();

/** Parses and validates a YAML work calendar; `calendar` is set only when there are no problems. */
export function parseWorkCalendar(text: string, source: string): { calendar?: WorkCalendar; problems: string[] } {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length)
    return { problems: doc.errors.map((error) => `${source}: YAML: ${error.message.split('\n')[0]}`) };
  const raw: unknown = doc.toJS();
  const parsed = calendarSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map((issue) => `${source}: ${describe(issue.path, raw)}: ${issue.message}`),
    };
  }

  const problems: string[] = [];
  const listed = { holidays: new Map<string, string>(), workdays: new Map<string, string>() };
  const years = new Set<number>();
  for (const [yearKey, entry] of Object.entries(parsed.data.years)) {
    years.add(Number(yearKey));
    for (const kind of ['holidays', 'workdays'] as const) {
      for (const [index, date] of entry[kind].entries()) {
        const where = `years.${yearKey}.${kind}[${index}] "${date}"`;
        const day = toDay(date);
        if (day === undefined) {
          problems.push(`${source}: ${where}: not a real calendar date`);
          continue;
        }
        if (date.slice(0, 4) !== yearKey)
          problems.push(`${source}: ${where}: listed under year ${yearKey}, but it is in ${date.slice(0, 4)}`);
        const weekday = weekdayOf(day);
        if (kind === 'workdays' && weekday !== 0 && weekday !== 6) {
          problems.push(
            `${source}: ${where}: a make-up workday must be a Saturday or Sunday, this is a ${WEEKDAY_NAMES[weekday]}`,
          );
        }
        const earlier = listed[kind].get(date);
        if (earlier) problems.push(`${source}: ${where}: already listed as ${earlier}`);
        else listed[kind].set(date, `years.${yearKey}.${kind}[${index}]`);
      }
    }
  }
  if (years.size === 0) problems.push(`${source}: years: the calendar lists no year`);
  for (const [date, workdayAt] of listed.workdays) {
    const holidayAt = listed.holidays.get(date);
    if (holidayAt)
      problems.push(
        `${source}: "${date}" is listed both as a holiday (${holidayAt}) and as a make-up workday (${workdayAt})`,
      );
  }
  if (problems.length) return { problems };
  return {
    calendar: { holidays: new Set(listed.holidays.keys()), workdays: new Set(listed.workdays.keys()), years, source },
    problems,
  };
}

/** Reads and validates a YAML work calendar file, throwing an Error that lists every problem. */
export function loadWorkCalendar(file: string): WorkCalendar {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read work calendar ${file}: ${(error as Error).message}`, { cause: error });
  }
  const { calendar, problems } = parseWorkCalendar(text, file);
  if (!calendar) throw new Error(`invalid work calendar ${file}:\n  ${problems.join('\n  ')}`);
  return calendar;
}

/** Whether a YYYY-MM-DD date is a working day (weekday not a holiday, or a make-up workday). */
export function isWorkingDay(date: string, calendar: WorkCalendar): boolean {
  return workingDay(dayOf(date), calendar);
}

/**
 * The date `days` working days after `start` (start itself never counts). E.g. 10 working days
 * from a Friday with no holidays is the Friday two weeks later.
 */
export function addWorkingDays(start: string, days: number, calendar: WorkCalendar): string {
  if (!Number.isSafeInteger(days) || days < 0)
    throw new RangeError(`working days must be a non-negative integer, got ${days}`);
  let day = dayOf(start);
  for (let remaining = days; remaining > 0;) {
    day += 1;
    if (workingDay(day, calendar)) remaining -= 1;
  }
  return fromDay(day);
}

/** Working days strictly after `from` up to and including `to` (0 when to <= from). */
export function workingDaysBetween(from: string, to: string, calendar: WorkCalendar): number {
  const last = dayOf(to);
  let count = 0;
  for (let day = dayOf(from) + 1; day <= last; day++) if (workingDay(day, calendar)) count += 1;
  return count;
}

/** The calendar date in Beijing (UTC+8, no DST) of an instant, as YYYY-MM-DD. */
export function beijingDate(instant: Date): string {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError('beijingDate: invalid Date');
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/** Years touched by the range [from, to] that the calendar does not cover (so callers can warn). */
export function uncoveredYears(from: string, to: string, calendar: WorkCalendar): number[] {
  const first = new Date(dayOf(from) * DAY_MS).getUTCFullYear();
  const last = new Date(dayOf(to) * DAY_MS).getUTCFullYear();
  const missing: number[] = [];
  for (let year = first; year <= last; year++) if (!calendar.years.has(year)) missing.push(year);
  return missing;
}

function workingDay(day: number, calendar: WorkCalendar): boolean {
  const date = fromDay(day);
  if (calendar.holidays.has(date)) return false;
  if (calendar.workdays.has(date)) return true;
  const weekday = weekdayOf(day);
  return weekday !== 0 && weekday !== 6;
}

/** Days since 1970-01-01 of a real YYYY-MM-DD date, or undefined (e.g. 2026-02-30). */
function toDay(date: string): number | undefined {
  const match = DATE_PATTERN.exec(date);
  if (!match) return undefined;
  const [year, month, dayOfMonth] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utc = new Date(Date.UTC(year, month - 1, dayOfMonth));
  if (utc.getUTCFullYear() !== year || utc.getUTCMonth() !== month - 1 || utc.getUTCDate() !== dayOfMonth)
    return undefined;
  return utc.getTime() / DAY_MS;
}

function dayOf(date: string): number {
  const day = toDay(date);
  if (day === undefined) throw new RangeError(`"${date}" is not a YYYY-MM-DD calendar date`);
  return day;
}

function fromDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function weekdayOf(day: number): number {
  return new Date(day * DAY_MS).getUTCDay();
}

/** `years.2026.holidays[3] "2026-2-3"` for a zod issue path, quoting the offending scalar if any. */
function describe(path: readonly PropertyKey[], raw: unknown): string {
  if (path.length === 0) return '(document)';
  const text = path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i ? '.' : ''}${String(key)}`)).join('');
  let value: unknown = raw;
  for (const key of path)
    value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return typeof value === 'string' || typeof value === 'number' ? `${text} ${JSON.stringify(value)}` : text;
}
