import type { AuditRecord, GrantDecisionEntry } from './auditRecord';

/** Which records a CDO's report covers. */
export interface UsageQuery {
  agency: string;
  /** Only records at or after this instant. */
  since?: Date;
  consumer?: string;
}

export interface FieldUsage {
  field: string;
  released: number;
  masked: number;
  denied: number;
}

/** One consumer stating one purpose: how often it read the agency's data, and what it got. */
export interface ConsumerUsage {
  consumer: string;
  purpose: string | null;
  requests: number;
  /** Records of the agency's data returned over those requests. */
  entities: number;
  /** Requests refused outright or answered only in part. */
  refused: number;
  partial: number;
  grants: string[];
  /** The cases the requests named (`x-case-id`), each once. */
  cases: string[];
  firstSeen: string;
  lastSeen: string;
  fields: FieldUsage[];
}

export interface UsageReport {
  agency: string;
  since: string | null;
  consumer: string | null;
  requests: number;
  entities: number;
  usage: ConsumerUsage[];
  /** Grant requests, approvals, refusals and revocations on the agency's data, in order. */
  decisions: Omit<GrantDecisionEntry, 'kind'>[];
}

/**
 * The table a CDO reads: for one agency, who read which of its fields, for what purpose, how
 * often, how many records, and what was withheld. Pure: records in, report out. Only records
 * that touched the agency count; grant ids are those of the agency's own grants.
 */
export function buildUsageReport(records: Iterable<AuditRecord>, query: UsageQuery): UsageReport {
  const since = query.since?.toISOString();
  const groups = new Map<
    string,
    ConsumerUsage & { fieldMap: Map<string, FieldUsage>; grantSet: Set<string>; caseSet: Set<string> }
  >();
  const decisions = new Map<string, Omit<GrantDecisionEntry, 'kind'>>();
  for (const record of records) {
    if (record.kind === 'grant') {
      if (
        record.agency !== query.agency ||
        (since && record.time < since) ||
        (query.consumer && record.consumer !== query.consumer)
      )
        continue;
      const {
        kind: _kind,
        seq: _seq,
        prevHash: _prev,
        hash: _hash,
        ...decision
      } = record as GrantDecisionEntry & { seq?: number; prevHash?: string; hash?: string };
      decisions.set(record.requestId, decision); // once, even if written twice around a crash
      continue;
    }
    const access = record.agencies[query.agency];
    if (!access) continue;
    if (since && record.time < since) continue;
    if (query.consumer && record.consumer !== query.consumer) continue;
    const key = `${record.consumer}\u0000${record.purpose ?? ''}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        consumer: record.consumer,
        purpose: record.purpose,
        requests: 0,
        entities: 0,
        refused: 0,
        partial: 0,
        grants: [],
        cases: [],
        firstSeen: record.time,
        lastSeen: record.time,
        fields: [],
        fieldMap: new Map(),
        grantSet: new Set(),
        caseSet: new Set(),
      };
      groups.set(key, group);
    }
    group.requests++;
    group.entities += access.entities ?? 0;
    if (record.outcome === 'refused') group.refused++;
    if (record.outcome === 'partial') group.partial++;
    if (record.time < group.firstSeen) group.firstSeen = record.time;
    if (record.time > group.lastSeen) group.lastSeen = record.time;
    for (const grant of access.grants ?? []) group.grantSet.add(grant);
    if (record.case) group.caseSet.add(record.case);
    const count = (field: string, outcome: 'released' | 'masked' | 'denied') => {
      let usage = group!.fieldMap.get(field);
      if (!usage) group!.fieldMap.set(field, (usage = { field, released: 0, masked: 0, denied: 0 }));
      usage[outcome]++;
    };
    for (const field of new Set(access.released)) count(field, 'released');
    for (const field of new Set(access.masked)) count(field, 'masked');
    for (const field of new Set(access.denied)) count(field, 'denied');
  }
  const usage = [...groups.values()]
    .map(({ fieldMap, grantSet, caseSet, ...group }) => ({
      ...group,
      grants: [...grantSet].sort(),
      cases: [...caseSet].sort(),
      fields: [...fieldMap.values()].sort((a, b) => a.field.localeCompare(b.field)),
    }))
    .sort(
      (a, b) =>
        b.requests - a.requests ||
        a.consumer.localeCompare(b.consumer) ||
        (a.purpose ?? '').localeCompare(b.purpose ?? ''),
    );
  return {
    agency: query.agency,
    since: since ?? null,
    consumer: query.consumer ?? null,
    requests: usage.reduce((sum, u) => sum + u.requests, 0),
    entities: usage.reduce((sum, u) => sum + u.entities, 0),
    usage,
    decisions: [...decisions.values()],
  };
}

/** `24h`, `7d`, `30m`, or a date / ISO timestamp, as the instant it names (relative to `now`). */
export function parseSince(text: string, now: Date): Date | undefined {
  const relative = /^(\d+)\s*(m|h|d|w)$/.exec(text.trim());
  if (relative) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[relative[2] as 'm' | 'h' | 'd' | 'w'];
    return new Date(now.getTime() - Number(relative[1]) * unit);
  }
  const at = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00+08:00`) : Date.parse(text);
  return Number.isNaN(at) ? undefined : new Date(at);
}

/** The report as plain-text tables: one line per consumer and purpose, then one per field read. */
export function formatUsageTable(report: UsageReport): string {
  const lines = [
    `Usage of ${report.agency}'s data${report.since ? ` since ${report.since}` : ''}${report.consumer ? ` by ${report.consumer}` : ''}: ${report.requests} request(s), ${report.entities} record(s) returned`,
  ];
  if (report.decisions.length) {
    lines.push(
      '',
      ...textTable(
        ['time', 'grant step', 'request', 'grant', 'by', 'consumer', 'purpose', 'reason'],
        report.decisions.map((d) => [
          d.time.slice(0, 19) + 'Z',
          d.action,
          d.grantRequest,
          d.grantId ?? '-',
          d.actor,
          d.consumer,
          d.purpose,
          d.reason ?? '',
        ]),
      ),
    );
  }
  if (!report.usage.length) return lines.join('\n');
  // The cases column only where requests named cases: how many distinct ones (JSON lists them).
  const withCases = report.usage.some((u) => u.cases.length);
  lines.push(
    '',
    ...textTable(
      [
        'consumer',
        'purpose',
        'requests',
        'records',
        'partial',
        'refused',
        ...(withCases ? ['cases'] : []),
        'grants',
        'last seen',
      ],
      report.usage.map((u) => [
        u.consumer,
        u.purpose ?? '-',
        String(u.requests),
        String(u.entities),
        String(u.partial),
        String(u.refused),
        ...(withCases ? [String(u.cases.length)] : []),
        u.grants.join(' ') || '-',
        u.lastSeen.slice(0, 19) + 'Z',
      ]),
    ),
    '',
    ...textTable(
      ['consumer', 'purpose', 'field', 'released', 'masked', 'denied'],
      report.usage.flatMap((u) =>
        u.fields.map((f) => [
          u.consumer,
          u.purpose ?? '-',
          f.field,
          String(f.released),
          String(f.masked),
          String(f.denied),
        ]),
      ),
    ),
  );
  return lines.join('\n');
}

/** One CSV row per consumer, purpose and field (RFC 4180 quoting). */
export function formatUsageCsv(report: UsageReport): string {
  const rows = [['agency', 'consumer', 'purpose', 'requests', 'records', 'field', 'released', 'masked', 'denied']];
  for (const u of report.usage) {
    for (const f of u.fields)
      rows.push([
        report.agency,
        u.consumer,
        u.purpose ?? '',
        String(u.requests),
        String(u.entities),
        f.field,
        String(f.released),
        String(f.masked),
        String(f.denied),
      ]);
  }
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A plain-text table for terminals (CJK characters counted two columns wide), header underlined. */
export function textTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - width(c))))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** Display width: CJK characters take two columns in a terminal. */
function width(text: string): number {
  let w = 0;
  for (const ch of text)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch)
      ? 2
      : 1;
  return w;
}
