import { AGENCIES } from '@cdo-hub/subgraph-kit/agencies';
import { hostname, userInfo } from 'node:os';
import {
  adoptAuditTrail,
  auditChainDirs,
  readAuditChains,
  buildUsageReport,
  followAuditTrail,
  formatRecordLine,
  formatUsageCsv,
  formatUsageTable,
  openAuditWitness,
  parseSince,
  textTable,
  verifyAuditChains,
  WORKER_CHAIN_PATTERN,
  type AuditRecord,
  type AuditWitness,
} from '@cdo-hub/gateway/audit';
import { type GatewayConfig } from '@cdo-hub/gateway/config';
import type { AttestationDue } from '@cdo-hub/gateway/grants';
import type { DisputeSummary } from '@cdo-hub/gateway/disputes';
import type { SigningKeys } from '@cdo-hub/contracts/signing';
import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { REPORT_FORMATS, type ReportFormat } from './reportFormats';

export { REPORT_FORMATS, type ReportFormat };

function knownAgency(agency: string): void {
  if (!AGENCIES.some((a) => a.id === agency))
    throw new Error(`unknown agency "${agency}" (agencies: ${AGENCIES.map((a) => a.id).join(', ')})`);
}

/**
 * `hub audit report`: the CDO's usage table from the trail in `dir`, then the deletion
 * attestations overdue under the agency's ended grants (from the grant store: they are owed now,
 * whatever the report's window), then the disputes over its values still open, overdue ones
 * flagged (from the dispute store, likewise).
 */
export async function auditReport(
  dir: string,
  options: {
    agency: string;
    since?: string;
    consumer?: string;
    format: ReportFormat;
    now?: Date;
    overdueAttestations?: readonly AttestationDue[];
    /** The open disputes and their lines under the table (`openDisputes`). */
    disputes?: { summary: DisputeSummary; lines: readonly string[] };
  },
): Promise<string> {
  knownAgency(options.agency);
  const since = options.since === undefined ? undefined : parseSince(options.since, options.now ?? new Date());
  if (options.since !== undefined && !since)
    throw new Error(`--since "${options.since}" is neither a duration (30m, 24h, 7d, 2w) nor a date`);
  const records: AuditRecord[] = [];
  // Every chain: a gateway of several workers keeps one per worker.
  for await (const record of readAuditChains(dir, since ? { since } : {})) records.push(record);
  const report = buildUsageReport(records, {
    agency: options.agency,
    ...(since ? { since } : {}),
    ...(options.consumer ? { consumer: options.consumer } : {}),
  });
  const overdue = options.overdueAttestations ?? [];
  const disputes = options.disputes?.summary ?? { open: 0, overdue: 0, openDisputes: [] };
  switch (options.format) {
    case 'json':
      return JSON.stringify({ ...report, overdueAttestations: overdue, disputes }, null, 2);
    case 'csv':
      return formatUsageCsv(report).trimEnd();
    default:
      return [
        formatUsageTable(report),
        ...overdueLines(options.agency, overdue),
        ...(options.disputes?.lines ?? []),
      ].join('\n');
  }
}

function overdueLines(agency: string, overdue: readonly AttestationDue[]): string[] {
  if (!overdue.length) return [];
  return [
    '',
    `deletion attestations overdue: ${overdue.length} (hub grant attestations --agency ${agency})`,
    ...textTable(
      ['grant', 'consumer', 'ended', 'retain days', 'due by'],
      overdue.map((a) => [a.id, a.consumer, `${a.how} ${a.ended}`, String(a.retainDays), a.dueBy]),
    ),
  ];
}

/**
 * The agency's overdue deletion attestations, from the grant store the gateways watch. The report
 * is the trail's first: a store or policies that cannot be read are said on stderr, not fatal.
 */
export async function overdueAttestations(agency: string, consumer?: string): Promise<AttestationDue[]> {
  const { withGrants } = await import('../grant/grantCommands.js');
  try {
    const owed = await withGrants((service) => service.attestations({ agency, ...(consumer ? { consumer } : {}) }));
    return owed.filter((a) => a.status === 'overdue');
  } catch (error) {
    console.error(`note: deletion attestations not read from the grant store: ${(error as Error).message}`);
    return [];
  }
}

/**
 * The agency's open disputes (overdue ones flagged), from the dispute store the gateways watch;
 * like the attestations, a store that cannot be read is said on stderr, not fatal.
 */
export async function openDisputes(
  agency: string,
  consumer?: string,
): Promise<{ summary: DisputeSummary; lines: readonly string[] }> {
  // Loaded here, not with the module: the other audit commands need none of the policy machinery.
  const { disputeSummaryOf } = await import('../dispute/disputeCommands.js');
  const { disputeReportLines } = await import('@cdo-hub/gateway/disputes');
  try {
    const summary = await disputeSummaryOf(agency, consumer);
    return { summary, lines: disputeReportLines(agency, summary) };
  } catch (error) {
    console.error(`note: disputes not read from the dispute store: ${(error as Error).message}`);
    return { summary: { open: 0, overdue: 0, openDisputes: [] }, lines: [] };
  }
}

/**
 * `hub audit tail`: prints records as the gateway writes them, until stopped — every worker's
 * chain (those there when it starts), each followed on its own.
 */
export function auditTail(
  dir: string,
  options: { agency?: string; consumer?: string; json?: boolean; backlog: number },
  print: (line: string) => void,
): () => void {
  if (options.agency) knownAgency(options.agency);
  const stops = auditChainDirs(dir).map((chain) => followChain(chain, options, print));
  return () => stops.forEach((stop) => stop());
}

function followChain(
  dir: string,
  options: { agency?: string; consumer?: string; json?: boolean; backlog: number },
  print: (line: string) => void,
): () => void {
  return followAuditTrail(
    dir,
    (record) => {
      if (
        options.agency &&
        (record.kind === 'grant' ? record.agency !== options.agency : !record.agencies?.[options.agency])
      )
        return;
      if (options.consumer && record.consumer !== options.consumer) return;
      print(options.json ? JSON.stringify(record) : formatRecordLine(record));
    },
    { backlog: options.backlog },
  );
}

/**
 * `hub audit verify`: each chain's records and checkpoints, then each chain against its witness
 * (the configured one: a trail never chooses where it is checked) — one chain, or one per worker
 * of a gateway run with `GATEWAY_WORKERS`. The answer, line by line, and the exit code: 1 when
 * anything is wrong in any chain — a record edited, removed or reordered, or the tail cut below a
 * checkpoint the witness holds — and 0 otherwise, warnings included.
 */
export async function auditVerify(
  config: Pick<
    GatewayConfig,
    'auditDir' | 'auditWitnessDir' | 'auditWitnessRedisUrl' | 'auditRedisUrl' | 'auditRedisAllowEverysec'
  >,
  signingKey: SigningKeys,
): Promise<{ lines: string[]; exitCode: number }> {
  const witness = await openAuditWitness(config);
  try {
    const lines: string[] = [];
    let exitCode = 0;
    for (const result of await verifyAuditChains(config.auditDir, signingKey, witness)) {
      lines.push(
        ...result.problems,
        ...result.warnings.map((warning) => `warning: ${warning}`),
        ...result.notes.map((note) => `note: ${note}`),
      );
      const witnessed = result.trailId
        ? `; trail ${result.trailId}, witnessed up to record ${result.witnessedSeq ?? 0} in ${result.witness}`
        : '';
      lines.push(
        result.ok
          ? `audit trail OK: ${result.records} records (last ${result.lastSeq}), ${result.checkpoints} signed checkpoints, in ${result.dir}${witnessed}`
          : `audit trail BROKEN: ${result.problems.length} problem(s) in ${result.dir}`,
      );
      if (!result.ok) exitCode = 1;
    }
    // A worker's whole chain removed leaves nothing to verify above: the witness still names it.
    for (const missing of await missingWorkerChains(config.auditDir, witness)) {
      lines.push(
        `audit trail MISSING: ${missing.location}: the witness holds trail ${missing.trailId} opened there, and the folder is gone`,
      );
      exitCode = 1;
    }
    return { lines, exitCode };
  } finally {
    await witness.close();
  }
}

/** Worker chains (`AUDIT_DIR/worker-N`) the witness saw opened whose folder no longer exists. */
async function missingWorkerChains(
  auditDir: string,
  witness: AuditWitness,
): Promise<{ trailId: string; location: string }[]> {
  const root = resolve(auditDir);
  return (await witness.openedTrails()).filter(({ location }) => {
    const where = resolve(location);
    return dirname(where) === root && WORKER_CHAIN_PATTERN.test(basename(where)) && !existsSync(where);
  });
}

/** Who runs a command, when `--by` does not say: the account and the machine. */
export function defaultOperator(): string {
  return `${userInfo().username}@${hostname()}`;
}

/**
 * `hub audit adopt`: an operator's override where the gateway refuses to start a new trail over a
 * folder the witness already knows. The decision — who, why, which trails it replaces — goes to
 * the witness first; `hub audit verify` then reports it, as a warning, on every run.
 */
export async function auditAdopt(
  config: Pick<
    GatewayConfig,
    'auditDir' | 'auditWitnessDir' | 'auditWitnessRedisUrl' | 'auditRedisUrl' | 'auditRedisAllowEverysec'
  >,
  signingKey: string,
  decision: { by: string; reason: string },
): Promise<string[]> {
  const witness = await openAuditWitness(config);
  try {
    const adopted = await adoptAuditTrail(config.auditDir, witness, signingKey, decision);
    return [
      `new audit trail ${adopted.trailId} in ${config.auditDir}, witnessed from record ${adopted.atSeq} in ${witness.location}`,
      `replaces trail ${adopted.supersedes.join(', ') || '(none)'}; recorded in the witness as adopted by ${JSON.stringify(decision.by)}: ${JSON.stringify(decision.reason.trim())}`,
      ...(adopted.movedAside.length ? [`moved aside: ${adopted.movedAside.join(', ')}`] : []),
      'hub audit verify reports this adoption on every run; the gateway can start now',
    ];
  } finally {
    await witness.close();
  }
}
