import { formatProblem, loadPolicySet } from '@cdo-hub/gateway/policy';
import {
  openGrantStore,
  GrantService,
  GrantWorkflowError,
  loadWorkCalendar,
  policyGrantChecker,
  runtimeGrantInputs,
  type AttestationDue,
  type DeletionAttestation,
  type GrantRequest,
  type ListedRequest,
  type StoredGrant,
} from '@cdo-hub/gateway/grants';
import { loadGatewayConfig, type GatewayConfig } from '@cdo-hub/gateway/config';
import { loadServedSupergraph } from '@cdo-hub/gateway/registry';
import { AGENCIES } from '@cdo-hub/subgraph-kit/agencies';

/**
 * `hub grant …`: the grant workflow from the operator's shell, on the same store every gateway
 * watches. Whoever runs it acts with the CDO's authority (file access to the store is the
 * boundary); apps use the gateway's admin API, where roles are checked.
 */
export async function grantService(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<GatewayConfig> = {},
): Promise<GrantService> {
  const config = loadGatewayConfig(env, overrides);
  const supergraph = await loadServedSupergraph(config);
  const sources = { policyDir: config.policyDir, consumersFile: config.consumersFile };
  const store = await openGrantStore(config);
  return new GrantService({
    store,
    policySet: (state) => {
      const { policySet, problems } = loadPolicySet(sources, supergraph, {
        runtimeGrants: runtimeGrantInputs(state, store.location),
      });
      if (!policySet)
        throw new Error(
          `the policies do not load:\n${problems
            .filter((p) => p.severity === 'error')
            .map(formatProblem)
            .join('\n')}`,
        );
      return policySet;
    },
    calendar: loadWorkCalendar(config.calendarFile),
    checkGrant: policyGrantChecker(sources, supergraph),
  });
}

export function knownAgency(agency: string): string {
  if (!AGENCIES.some((a) => a.id === agency))
    throw new Error(`unknown agency "${agency}" (agencies: ${AGENCIES.map((a) => a.id).join(', ')})`);
  return agency;
}

/** `k=v` pairs (`--scope districtCode=110108`, `--mask Student.name=name`) as a record. */
export function pairs(values: readonly string[] | undefined, what: string): Record<string, string> {
  const record: Record<string, string> = {};
  for (const value of values ?? []) {
    const at = value.indexOf('=');
    if (at <= 0 || at === value.length - 1) throw new Error(`${what} "${value}" must be written NAME=VALUE`);
    record[value.slice(0, at).trim()] = value.slice(at + 1).trim();
  }
  return record;
}

export function describeRequest(request: GrantRequest): string {
  const head = `${request.id} ${request.status.toUpperCase()}: ${request.consumer} asks ${request.agency} for ${request.fields.join(', ')} (purpose ${request.purpose})`;
  if (request.status === 'pending')
    return `${head}\n  answer due by ${request.deadline} (${10} working days); the ${request.agency} CDO decides with \`hub grant approve|refuse ${request.id}\``;
  return `${head}\n  ${request.status} by ${request.decision?.by} on ${request.decision?.at.slice(0, 10)}${request.decision?.reason ? `: ${request.decision.reason}` : ''}${request.decision?.grantId ? ` → ${request.decision.grantId}` : ''}`;
}

export function describeGrant(grant: StoredGrant): string {
  const fields = grant.fields
    .map((f) => (typeof f === 'string' ? f : Object.entries(f).map(([c, m]) => `${c} (masked: ${m})`)[0]))
    .join(', ');
  const state = grant.revoked
    ? `REVOKED on ${grant.revoked.at.slice(0, 10)} by ${grant.revoked.by}: ${grant.revoked.reason}`
    : `in force until ${grant.expires}`;
  return `${grant.id} ${state}\n  ${grant.consumer} may read ${fields} of ${grant.agency} for ${grant.purposes.join(', ')}${
    grant.scope
      ? `, scoped to ${Object.entries(grant.scope)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}`
      : ''
  }; approved by ${grant.approvedBy} on request ${grant.requestId}${
    grant.requireCase
      ? `\n  requests under it must name their case (x-case-id${grant.casePattern ? ` matching ${grant.casePattern}` : ''})`
      : ''
  }${
    grant.retainDays !== undefined
      ? `\n  ${grant.consumer} may keep what it received ${grant.retainDays} day(s) after the grant ends, then attests deletion`
      : ''
  }`;
}

export function describeAttestation(attestation: DeletionAttestation): string {
  return `deletion attested under ${attestation.grantId}: ${attestation.consumer} (${attestation.agency}'s grant), on ${attestation.attestedAt.slice(0, 10)} by ${attestation.attestedBy}${attestation.note ? `: ${attestation.note}` : ''}`;
}

/** `hub grant attestations` as a table: overdue first, dates YYYY-MM-DD (Beijing). */
export function formatAttestationTable(owed: readonly AttestationDue[]): string {
  if (!owed.length) return 'no deletion attestations owed';
  const rows = owed.map((a) => [
    a.id,
    a.status === 'overdue' ? 'OVERDUE' : a.status,
    a.consumer,
    a.agency,
    `${a.how} ${a.ended}`,
    String(a.retainDays),
    a.dueBy,
    a.attested ? `${a.attested.on} by ${a.attested.by}${a.attested.note ? `: ${a.attested.note}` : ''}` : '-',
  ]);
  const header = ['grant', 'status', 'consumer', 'agency', 'ended', 'retain days', 'due by', 'attested'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** `hub grant list` as a table. */
export function formatRequestTable(requests: readonly ListedRequest[]): string {
  if (!requests.length) return 'no grant requests';
  const rows = requests.map((r) => [
    r.id,
    r.overdue ? 'OVERDUE' : r.status,
    r.consumer,
    r.purpose,
    r.fields.join(' '),
    r.requestedAt.slice(0, 10),
    r.deadline,
    r.status === 'pending'
      ? r.overdue
        ? `${-r.workingDaysLeft!} working day(s) late`
        : `${r.workingDaysLeft} working day(s) left`
      : `${r.decision?.by ?? ''}${r.decision?.grantId ? ` → ${r.decision.grantId}` : ''}`,
  ]);
  const header = ['request', 'status', 'consumer', 'purpose', 'fields', 'filed', 'due', 'answer'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Runs a command against the grant store and closes it (a Redis store holds a connection). */
export async function withGrants<T>(run: (service: GrantService) => Promise<T> | T): Promise<T> {
  const service = await grantService();
  try {
    return await run(service);
  } finally {
    await service.store.close();
  }
}

/** A workflow refusal as the CLI prints it. */
export function describeWorkflowError(error: unknown): string | undefined {
  return error instanceof GrantWorkflowError ? `${error.code}: ${error.message}` : undefined;
}
