import { AGENCIES } from '@cdo-hub/subgraph-kit';
import { buildUsageReport, followAuditTrail, formatRecordLine, formatUsageCsv, formatUsageTable, openAuditWitness, parseSince, readAuditTrail, verifyWitnessedTrail, type AuditRecord, type GatewayConfig } from '@cdo-hub/gateway';
import { REPORT_FORMATS, type ReportFormat } from './reportFormats';

export { REPORT_FORMATS, type ReportFormat };

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

/**
 * `hub audit verify`: the trail's chain and checkpoints, then the trail against its witness (the
 * configured one: a trail never chooses where it is checked). The answer, line by line, and the
 * exit code: 1 when anything is wrong — a record edited, removed or reordered, or the tail cut
 * below a checkpoint the witness holds — and 0 otherwise, warnings included.
 */
export async function auditVerify(
  config: Pick<GatewayConfig, 'auditDir' | 'auditWitnessDir' | 'auditWitnessRedisUrl' | 'auditRedisUrl' | 'auditRedisAllowEverysec'>,
  signingKey: string,
): Promise<{ lines: string[]; exitCode: number }> {
  const witness = await openAuditWitness(config);
  try {
    const result = await verifyWitnessedTrail(config.auditDir, signingKey, witness);
    const lines = [
      ...result.problems.map((problem) => `${problem.file}${problem.line ? `:${problem.line}` : ''}: ${problem.message}`),
      ...result.warnings.map((warning) => `warning: ${warning}`),
      ...result.notes.map((note) => `note: ${note}`),
    ];
    const witnessed = result.trailId ? `; trail ${result.trailId}, witnessed up to record ${result.witnessedSeq ?? 0} in ${result.witness}` : '';
    lines.push(
      result.ok
        ? `audit trail OK: ${result.records} records (last ${result.lastSeq}), ${result.checkpoints} signed checkpoints, in ${config.auditDir}${witnessed}`
        : `audit trail BROKEN: ${result.problems.length} problem(s) in ${config.auditDir}`,
    );
    return { lines, exitCode: result.ok ? 0 : 1 };
  } finally {
    await witness.close();
  }
}
