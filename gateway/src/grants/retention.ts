import type { Grant, PolicySet } from '../policy';
import type { DeletionAttestation, GrantStoreState, StoredGrant } from './model';
import { beijingDate } from './workingDays';
import { addEvent, GrantWorkflowError, invalid, type WorkflowContext, type WorkflowStep } from './workflowSteps';

/**
 * Time-bound holding: a grant may say how long the consumer may keep what it received once the
 * grant has ended (`retainDays`). When it ends — it expired, or its CDO revoked it — the consumer
 * owes a deletion attestation by the end date plus that many calendar days; the owning CDO sees
 * which are due, overdue and attested. Pure steps and views over the store's state; dates are
 * Beijing dates, YYYY-MM-DD.
 */

/** A grant with a retention period that has ended, from the grant store or a policy file. */
export interface EndedGrant {
  id: string;
  agency: string;
  consumer: string;
  purposes: readonly string[];
  fields: string[];
  source: 'grant-store' | 'policy-file';
  /** The last day the grant held: its expiry, or the day it was revoked. */
  ended: string;
  how: 'expired' | 'revoked';
  retainDays: number;
  /** The store grant's request, for the workflow event; a policy-file grant's own id. */
  requestId: string;
}

export type AttestationStatus = 'due' | 'overdue' | 'attested';

/** One deletion attestation owed (or given) for one ended grant. */
export interface AttestationDue extends Omit<EndedGrant, 'requestId' | 'purposes' | 'fields'> {
  /** The last day to attest: `ended` + `retainDays`. */
  dueBy: string;
  status: AttestationStatus;
  attested?: { on: string; by: string; note?: string };
}

/** `2026-11-27` + n calendar days. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function fieldNames(fields: StoredGrant['fields']): string[] {
  return fields.map((f) => (typeof f === 'string' ? f : Object.keys(f)[0]!));
}

/**
 * The grants with a retention period that have ended by `today`: store grants revoked or past
 * their expiry, and policy-file grants past their expiry (one removed from its file is gone from
 * here too: a CDO ends a file grant by its expiry to keep the attestation owed).
 */
export function endedGrants(state: GrantStoreState, policySet: PolicySet, today: string): EndedGrant[] {
  const fromStore = state.grants.flatMap((grant): EndedGrant[] => {
    if (grant.retainDays === undefined) return [];
    const revokedOn = grant.revoked ? beijingDate(new Date(grant.revoked.at)) : undefined;
    // A grant revoked after it expired ended on its expiry.
    const ended = revokedOn && revokedOn <= grant.expires ? revokedOn : grant.expires;
    if (!revokedOn && grant.expires >= today) return [];
    return [
      {
        id: grant.id,
        agency: grant.agency,
        consumer: grant.consumer,
        purposes: grant.purposes,
        fields: fieldNames(grant.fields),
        source: 'grant-store',
        ended,
        how: revokedOn && revokedOn <= grant.expires ? 'revoked' : 'expired',
        retainDays: grant.retainDays,
        requestId: grant.requestId,
      },
    ];
  });
  const fromFiles = policySet.grants.flatMap((grant: Grant): EndedGrant[] => {
    if (grant.origin !== 'policy-file' || grant.retainDays === undefined) return [];
    // Valid through its last instant: the Beijing date of the moment before it stopped holding.
    const ended = beijingDate(new Date(grant.expiresAt - 1));
    if (ended >= today) return [];
    return [
      {
        id: grant.id,
        agency: grant.agency,
        consumer: grant.consumer,
        purposes: grant.purposes,
        fields: grant.fields.map((f) => f.coordinate),
        source: 'policy-file',
        ended,
        how: 'expired',
        retainDays: grant.retainDays,
        requestId: grant.id,
      },
    ];
  });
  return [...fromStore, ...fromFiles];
}

/**
 * Every attestation owed for the ended grants, with its status on `today`: attested, overdue
 * (`today` is past `dueBy`) or due. Overdue first, then by the date due, then attested ones.
 */
export function deletionAttestations(
  ended: readonly EndedGrant[],
  attestations: readonly DeletionAttestation[],
  today: string,
): AttestationDue[] {
  const rank = { overdue: 0, due: 1, attested: 2 } as const;
  return ended
    .map((grant): AttestationDue => {
      const { requestId: _requestId, purposes: _purposes, fields: _fields, ...rest } = grant;
      const dueBy = addDays(grant.ended, grant.retainDays);
      const given = attestations.find((a) => a.grantId === grant.id && a.consumer === grant.consumer);
      if (given)
        return {
          ...rest,
          dueBy,
          status: 'attested',
          attested: {
            on: beijingDate(new Date(given.attestedAt)),
            by: given.attestedBy,
            ...(given.note ? { note: given.note } : {}),
          },
        };
      return { ...rest, dueBy, status: today > dueBy ? 'overdue' : 'due' };
    })
    .sort((a, b) => rank[a.status] - rank[b.status] || a.dueBy.localeCompare(b.dueBy) || a.id.localeCompare(b.id));
}

export interface AttestationInput {
  grantId: string;
  /** The consumer that held the grant: only it attests for what it received. */
  consumer: string;
  by: string;
  note?: string;
}

/**
 * Records that the consumer deleted what it received under an ended grant. Refused for a grant it
 * did not hold (said as not found, so no one learns another consumer's grants), one with no
 * retention period, one still in force, or one attested already.
 */
export function attestDeletion(
  state: GrantStoreState,
  context: WorkflowContext,
  input: AttestationInput,
): WorkflowStep<DeletionAttestation> {
  const today = beijingDate(context.now);
  const held =
    state.grants.some((g) => g.id === input.grantId && g.consumer === input.consumer) ||
    context.policySet.grants.some(
      (g) => g.id === input.grantId && g.consumer === input.consumer && g.origin === 'policy-file',
    );
  if (!held) throw new GrantWorkflowError('GRANT_NOT_FOUND', `no grant "${input.grantId}" held by ${input.consumer}`);
  const grant = endedGrants(state, context.policySet, today).find(
    (g) => g.id === input.grantId && g.consumer === input.consumer,
  );
  if (!grant) {
    const stored = state.grants.find((g) => g.id === input.grantId);
    const retainDays = stored
      ? stored.retainDays
      : context.policySet.grants.find((g) => g.id === input.grantId)?.retainDays;
    if (retainDays === undefined)
      throw new GrantWorkflowError(
        'GRANT_CONFLICT',
        `grant ${input.grantId} states no retention period (retainDays): no deletion attestation is owed under it`,
      );
    throw new GrantWorkflowError(
      'GRANT_CONFLICT',
      `grant ${input.grantId} is still in force: deletion is attested once the grant has ended (expired or revoked)`,
    );
  }
  const earlier = state.attestations.find((a) => a.grantId === grant.id && a.consumer === grant.consumer);
  if (earlier)
    throw new GrantWorkflowError(
      'GRANT_CONFLICT',
      `deletion under ${grant.id} was attested on ${beijingDate(new Date(earlier.attestedAt))} by ${earlier.attestedBy}`,
    );
  if (!input.by.trim()) throw invalid('say who attests (--by NAME)');
  const note = input.note?.trim();
  const attestation: DeletionAttestation = {
    grantId: grant.id,
    agency: grant.agency,
    consumer: grant.consumer,
    attestedAt: context.now.toISOString(),
    attestedBy: input.by.trim(),
    ...(note ? { note } : {}),
  };
  const dueBy = addDays(grant.ended, grant.retainDays);
  const next = addEvent(
    { ...state, attestations: [...state.attestations, attestation] },
    {
      seq: 0,
      at: attestation.attestedAt,
      action: 'deletion-attested',
      actor: attestation.attestedBy,
      agency: grant.agency,
      consumer: grant.consumer,
      purpose: grant.purposes.join(' '),
      fields: grant.fields,
      requestId: grant.requestId,
      grantId: grant.id,
      reason: `deleted what it received; the grant ${grant.how} on ${grant.ended}, due by ${dueBy}${today > dueBy ? ' (late)' : ''}${note ? `: ${note}` : ''}`,
    },
  );
  return { state: next, result: attestation, warnings: [] };
}
