import { AGENCIES } from '@cdo-hub/subgraph-kit';
import { buildUsageReport, followAuditTrail, formatRecordLine, formatUsageCsv, formatUsageTable, parseSince, readAuditTrail, type AuditRecord } from '@cdo-hub/gateway';

export const REPORT_FORMATS = ['table', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

function knownAgency(agency: string): void {
  if (!AGENCIES.some((a) => a.id === agency)) throw new Error(`unknown agency "${agency}" (agencies: ${AGENCIES.map((a) => a.id).join(', ')})`);
}

/** `hub audit report`: the CDO's usage table from the trail in `dir`. */
export async function auditReport(dir: string, options: { agency: string; since?: string; consumer?: string; format: ReportFormat; now?: Date }): Promise<string> {
  knownAgency(options.agency);
  const since = options.since === undefined ? undefined : parseSince(options.since, options.now ?? new Date());
  if (options.since !== undefined && !since) throw new Error(`--since "${options.since}" is neither a duration (30m, 24h, 7d, 2w) nor a date`);
  const records: AuditRecord[] = [];
  for await (const record of readAuditTrail(dir, since ? { since } : {})) records.push(record);
  const report = buildUsageReport(records, { agency: options.agency, ...(since ? { since } : {}), ...(options.consumer ? { consumer: options.consumer } : {}) });
  switch (options.format) {
    case 'json':
      return JSON.stringify(report, null, 2);
    case 'csv':
      return formatUsageCsv(report).trimEnd();
    default:
      return formatUsageTable(report);
  }
}

/** `hub audit tail`: prints records as the gateway writes them, until stopped. */
export function auditTail(dir: string, options: { agency?: string; consumer?: string; json?: boolean; backlog: number }, print: (line: string) => void): () => void {
  if (options.agency) knownAgency(options.agency);
  return followAuditTrail(
    dir,
    (record) => {
      if (options.agency && (record.kind === 'grant' ? record.agency !== options.agency : !record.agencies?.[options.agency])) return;
      if (options.consumer && record.consumer !== options.consumer) return;
      print(options.json ? JSON.stringify(record) : formatRecordLine(record));
    },
    { backlog: options.backlog },
  );
}
