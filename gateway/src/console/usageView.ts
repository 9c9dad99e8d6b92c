import { buildUsageReport, type AuditRecord, type FieldUsage } from '../audit';
import { RELAY_WRAPPER } from '../enforcement';

/** The console's times: Beijing time, as the hub's expiries and deadlines are Beijing dates. */
export const CONSOLE_TIME_ZONE = 'Asia/Shanghai';
const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** `2026-12-04 10:15` in Beijing time. */
export function beijingMinute(iso: string): string {
  return new Date(Date.parse(iso) + BEIJING_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/** One consumer stating one purpose over the window. */
export interface ConsumerUsageView {
  consumer: string;
  purpose: string | null;
  requests: number;
  entities: number;
  partial: number;
  refused: number;
  grants: string[];
  /** Beijing time, `YYYY-MM-DD HH:mm`. */
  firstSeen: string;
  lastSeen: string;
  /** Requests per bucket of `UsageView.buckets`. */
  perBucket: number[];
  /** Data fields read: released in clear, masked, withheld (`denied`). */
  fields: FieldUsage[];
  /** Connection plumbing (`PageInfo.endCursor`, `*Connection.nodes`…), folded away from `fields`. */
  plumbing: FieldUsage[];
}

export interface UsageView {
  agency: string;
  timeZone: typeof CONSOLE_TIME_ZONE;
  /** Beijing time of the window's ends. */
  since: string;
  until: string;
  bucket: 'hour' | 'day';
  /** Bucket labels in Beijing time: `YYYY-MM-DD` by day, `YYYY-MM-DD HH:00` by hour. */
  buckets: string[];
  requests: number;
  entities: number;
  usage: ConsumerUsageView[];
}

/**
 * The usage report (`hub audit report`, buildUsageReport) as the console draws it: requests per
 * consumer and purpose per hour (windows up to two days) or per Beijing day, and per field what
 * was released, masked and withheld — data fields only, the connection plumbing folded apart.
 * Every time in Beijing time. Pure: records in, view out.
 */
export function usageView(
  records: readonly AuditRecord[],
  query: { agency: string; since: Date; now: Date },
): UsageView {
  const report = buildUsageReport(records, { agency: query.agency, since: query.since });
  const bucket = query.now.getTime() - query.since.getTime() <= 2 * 86_400_000 ? 'hour' : 'day';
  const label = (time: number) => {
    const text = new Date(time + BEIJING_OFFSET_MS).toISOString();
    return bucket === 'day' ? text.slice(0, 10) : `${text.slice(0, 10)} ${text.slice(11, 13)}:00`;
  };
  const step = bucket === 'day' ? 86_400_000 : 3_600_000;
  const buckets: string[] = [];
  for (let time = query.since.getTime(); label(time) <= label(query.now.getTime()); time += step) {
    if (buckets[buckets.length - 1] !== label(time)) buckets.push(label(time));
  }
  if (buckets[buckets.length - 1] !== label(query.now.getTime())) buckets.push(label(query.now.getTime()));
  const index = new Map(buckets.map((b, i) => [b, i]));
  const since = query.since.toISOString();
  const counts = new Map<string, number[]>();
  for (const record of records) {
    if (record.kind === 'grant' || !record.agencies[query.agency] || record.time < since) continue;
    const at = index.get(label(Date.parse(record.time)));
    if (at === undefined) continue;
    const key = `${record.consumer}\u0000${record.purpose ?? ''}`;
    const series = counts.get(key) ?? buckets.map(() => 0);
    series[at]!++;
    counts.set(key, series);
  }
  const isPlumbing = (field: string) => RELAY_WRAPPER.test(field.slice(0, field.indexOf('.')));
  return {
    agency: query.agency,
    timeZone: CONSOLE_TIME_ZONE,
    since: beijingMinute(since),
    until: beijingMinute(query.now.toISOString()),
    bucket,
    buckets,
    requests: report.requests,
    entities: report.entities,
    usage: report.usage.map((u) => ({
      consumer: u.consumer,
      purpose: u.purpose,
      requests: u.requests,
      entities: u.entities,
      partial: u.partial,
      refused: u.refused,
      grants: u.grants,
      firstSeen: beijingMinute(u.firstSeen),
      lastSeen: beijingMinute(u.lastSeen),
      perBucket: counts.get(`${u.consumer}\u0000${u.purpose ?? ''}`) ?? buckets.map(() => 0),
      fields: u.fields.filter((f) => !isPlumbing(f.field)),
      plumbing: u.fields.filter((f) => isPlumbing(f.field)),
    })),
  };
}
