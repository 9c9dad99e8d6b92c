import { loadGatewayConfig } from '@cdo-hub/gateway/config';
import {
  DisputeError,
  DisputeService,
  disputeEvidence,
  disputeSummary,
  MAX_EVIDENCE_BYTES,
  openDisputeStore,
  type Dispute,
  type DisputeSummary,
  type ListedDispute,
} from '@cdo-hub/gateway/disputes';
import { beijingDate, loadWorkCalendar, openGrantStore, runtimeGrantInputs } from '@cdo-hub/gateway/grants';
import { formatProblem, loadPolicySet } from '@cdo-hub/gateway/policy';
import { loadServedSupergraph } from '@cdo-hub/gateway/registry';
import { AGENCIES } from '@cdo-hub/subgraph-kit/agencies';
import { readFileSync, statSync } from 'node:fs';

/**
 * `hub dispute …` from the operator's shell, on the same store every gateway watches (beside the
 * grant store). Whoever runs it acts with the store's file access — as the consumer filing, or
 * as the owning agency's CDO answering; apps use the admin API, where tokens and roles are checked.
 * A gateway sees a filing or an answer within a second or so (it watches the store) and purges
 * a corrected record from its caches then.
 */
async function withDisputes<T>(run: (service: DisputeService) => Promise<T>): Promise<T> {
  const config = loadGatewayConfig(process.env);
  const supergraph = await loadServedSupergraph(config);
  // A filing is checked against the policy files and the grants in force, as a gateway checks it.
  const grants = await openGrantStore(config);
  let runtimeGrants: ReturnType<typeof runtimeGrantInputs>;
  try {
    runtimeGrants = runtimeGrantInputs(await grants.read(), grants.location);
  } finally {
    await grants.close();
  }
  const sources = { policyDir: config.policyDir, consumersFile: config.consumersFile };
  const { policySet, problems } = loadPolicySet(sources, supergraph, { runtimeGrants });
  if (!policySet)
    throw new Error(
      `the policies do not load:\n${problems
        .filter((p) => p.severity === 'error')
        .map(formatProblem)
        .join('\n')}`,
    );
  const store = await openDisputeStore(config);
  try {
    return await run(
      new DisputeService({ store, policySet: () => policySet, calendar: loadWorkCalendar(config.calendarFile) }),
    );
  } finally {
    await store.close();
  }
}

/** A dispute refusal as the CLI prints it: its catalogued code first. */
export function describeDisputeError(error: unknown): string | undefined {
  return error instanceof DisputeError ? `${error.code}: ${error.message}` : undefined;
}

function knownAgency(agency: string): string {
  if (!AGENCIES.some((a) => a.id === agency))
    throw new Error(`unknown agency "${agency}" (agencies: ${AGENCIES.map((a) => a.id).join(', ')})`);
  return agency;
}

/** `hub dispute file`: the id and due date, then what was filed. */
export async function fileDispute(options: {
  consumer: string;
  coordinate: string;
  key: string;
  claim: string;
  purpose?: string;
  evidence?: string;
  by: string;
  json?: boolean;
}): Promise<string> {
  let evidence: Dispute['evidence'];
  if (options.evidence) {
    // Refused before reading: a large file is never loaded whole.
    const size = statSync(options.evidence).size;
    if (size > MAX_EVIDENCE_BYTES)
      throw new DisputeError(
        'DISPUTE_INVALID',
        `the evidence is ${size} bytes; at most ${MAX_EVIDENCE_BYTES} are kept with a dispute`,
      );
    const checked = disputeEvidence(options.evidence, readFileSync(options.evidence));
    if (!checked.ok) throw new DisputeError(checked.code, checked.message);
    evidence = checked.evidence;
  }
  const dispute = await withDisputes((service) =>
    service.file({
      consumer: options.consumer,
      ...(options.purpose ? { purpose: options.purpose } : {}),
      coordinate: options.coordinate,
      key: options.key,
      claim: options.claim,
      ...(evidence ? { evidence } : {}),
      filedBy: options.by,
    }),
  );
  if (options.json) return JSON.stringify(withoutContents(dispute), null, 2);
  return `${dispute.id} due ${dispute.dueDate}\n  ${describe(dispute)}`;
}

/** `hub dispute list`: a table (or JSON) of an agency's or a consumer's disputes. */
export async function listDisputes(options: {
  agency?: string;
  consumer?: string;
  open?: boolean;
  overdue?: boolean;
  json?: boolean;
}): Promise<string> {
  const listed = await withDisputes((service) =>
    service.list({
      ...(options.agency ? { agency: knownAgency(options.agency) } : {}),
      ...(options.consumer ? { consumer: options.consumer } : {}),
      status: options.overdue ? 'overdue' : options.open ? 'open' : 'all',
    }),
  );
  return options.json ? JSON.stringify(listed, null, 2) : formatDisputeTable(listed);
}

/** An agency's open disputes for `hub audit report` (only those one consumer filed, when given). */
export async function disputeSummaryOf(agency: string, consumer?: string): Promise<DisputeSummary> {
  const open = await withDisputes((service) =>
    service.list({ agency: knownAgency(agency), ...(consumer ? { consumer } : {}), status: 'open' }),
  );
  return disputeSummary(open);
}

/** `hub dispute answer`: the dispute as answered. */
export async function answerDispute(options: {
  id: string;
  outcome: string;
  reason: string;
  by: string;
  json?: boolean;
}): Promise<string> {
  const dispute = await withDisputes((service) =>
    service.answer(options.id, {
      outcome: options.outcome,
      reason: options.reason,
      by: options.by,
      actingFor: undefined,
    }),
  );
  if (options.json) return JSON.stringify(withoutContents(dispute), null, 2);
  return `${dispute.id} ${dispute.answer!.outcome.toUpperCase()} by ${dispute.answer!.by}: ${dispute.answer!.reason}\n  ${describe(dispute)}${
    dispute.answer!.outcome === 'corrected'
      ? `\n  gateways purge ${dispute.coordinate.split('.')[0]} ${dispute.key} from their caches`
      : ''
  }`;
}

function describe(dispute: Dispute): string {
  return `${dispute.consumer} disputes ${dispute.coordinate} of ${dispute.key} (${dispute.agency} answers by ${dispute.dueDate}): ${dispute.claim}${
    dispute.evidence
      ? `\n  evidence ${dispute.evidence.name}, ${dispute.evidence.bytes} bytes, sha256 ${dispute.evidence.sha256}`
      : ''
  }`;
}

function withoutContents(
  dispute: Dispute,
): Omit<Dispute, 'evidence'> & { evidence?: Omit<NonNullable<Dispute['evidence']>, 'contentBase64'> } {
  const { evidence, ...rest } = dispute;
  if (!evidence) return rest;
  const { contentBase64: _contents, ...named } = evidence;
  return { ...rest, evidence: named };
}

/** `hub dispute list` as a table: the most urgent first, dates YYYY-MM-DD (Beijing). */
export function formatDisputeTable(disputes: readonly ListedDispute[]): string {
  if (!disputes.length) return 'no disputes';
  const rows = disputes.map((d) => [
    d.id,
    d.overdue ? 'OVERDUE' : d.status === 'open' ? 'open' : d.answer!.outcome,
    d.consumer,
    d.coordinate,
    d.key,
    beijingDate(new Date(d.filedAt)),
    d.dueDate,
    d.status === 'open'
      ? d.overdue
        ? `${-d.workingDaysLeft!} working day(s) late`
        : `${d.workingDaysLeft} working day(s) left`
      : `${d.answer!.by} on ${beijingDate(new Date(d.answer!.at))}`,
  ]);
  const header = ['dispute', 'status', 'consumer', 'field', 'key', 'filed', 'due', 'answer'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
