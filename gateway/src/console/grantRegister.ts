import { formatLocation } from '../formats';
import {
  beijingDate,
  deletionAttestations,
  endedGrants,
  type AttestationStatus,
  type GrantStoreState,
} from '../grants';
import { formatMask } from '../masking';
import type { PolicySet } from '../policy';

/** One step of a grant's life as the register shows it. */
export interface GrantStep {
  action: 'requested' | 'approved' | 'revoked' | 'expired' | 'deletion-attested';
  /** ISO time of the step; a policy-file grant's approval and any expiry carry a date only. */
  at?: string;
  actor?: string;
  reason?: string;
}

export interface RegisteredGrant {
  id: string;
  /** Where the grant is written: a CDO's policy file (revoked by editing it) or the grant store (revoked here). */
  source: 'policy-file' | 'grant-store';
  /** `schema/policies/education.yaml:76` for a policy-file grant; the store grant's request id otherwise. */
  location: string;
  consumer: string;
  purposes: readonly string[];
  /** `Type.field`, with its mask when released masked. */
  fields: { coordinate: string; mask?: string }[];
  scope?: Readonly<Record<string, string>>;
  expires: string;
  approvedBy: string;
  status: 'in-force' | 'revoked' | 'expired';
  history: GrantStep[];
  /** Requests under it must name their case (`x-case-id`), in this format when set. */
  requireCase?: boolean;
  casePattern?: string;
  /** Days the consumer may keep what it received once the grant ends. */
  retainDays?: number;
  /** Once a grant with a retention period has ended: the consumer's deletion attestation, owed by `dueBy`. */
  deletion?: { dueBy: string; status: AttestationStatus; attestedOn?: string };
}

/**
 * Every grant of one agency in one list — those its CDO wrote in the policy file and those the
 * grant workflow approved into the store, revoked and expired ones included — each with its
 * history (requested → approved → revoked or expired). In force first, then by expiry.
 * Expiries are Beijing dates, valid through that day.
 */
export function grantRegister(
  policySet: PolicySet,
  state: GrantStoreState,
  agency: string,
  now: Date,
): RegisteredGrant[] {
  const today = beijingDate(now);
  const owed = new Map(
    deletionAttestations(
      endedGrants(state, policySet, today).filter((g) => g.agency === agency),
      state.attestations,
      today,
    ).map((a) => [a.id, a]),
  );
  const binding = (
    id: string,
    grant: { requireCase?: boolean | undefined; casePattern?: string | undefined; retainDays?: number | undefined },
  ): Pick<RegisteredGrant, 'requireCase' | 'casePattern' | 'retainDays' | 'deletion'> => {
    const deletion = owed.get(id);
    return {
      ...(grant.requireCase ? { requireCase: true } : {}),
      ...(grant.casePattern !== undefined ? { casePattern: grant.casePattern } : {}),
      ...(grant.retainDays !== undefined ? { retainDays: grant.retainDays } : {}),
      ...(deletion
        ? {
            deletion: {
              dueBy: deletion.dueBy,
              status: deletion.status,
              ...(deletion.attested ? { attestedOn: deletion.attested.on } : {}),
            },
          }
        : {}),
    };
  };
  const fromPolicy = policySet.grants
    .filter((grant) => grant.origin === 'policy-file' && grant.agency === agency)
    .map((grant): RegisteredGrant => {
      const expired = grant.expiresAt <= now.getTime();
      return {
        id: grant.id,
        source: 'policy-file',
        location: formatLocation(grant.source),
        consumer: grant.consumer,
        purposes: grant.purposes,
        fields: grant.fields.map((f) => ({
          coordinate: f.coordinate,
          ...(f.mask ? { mask: formatMask(f.mask) } : {}),
        })),
        ...(grant.scope ? { scope: grant.scope } : {}),
        expires: grant.expires,
        approvedBy: grant.approvedBy,
        status: expired ? 'expired' : 'in-force',
        history: [
          { action: 'approved', actor: grant.approvedBy },
          ...(expired ? [{ action: 'expired' as const, at: grant.expires }] : []),
        ],
        ...binding(grant.id, {
          ...(grant.requiresCase ? { requireCase: true } : {}),
          ...(grant.requiresCase?.format ? { casePattern: grant.requiresCase.format.pattern } : {}),
          ...(grant.retainDays !== undefined ? { retainDays: grant.retainDays } : {}),
        }),
      };
    });
  const fromStore = state.grants
    .filter((grant) => grant.agency === agency)
    .map((grant): RegisteredGrant => {
      const expired = !grant.revoked && grant.expires < today;
      const steps = state.events
        .filter((e) => e.requestId === grant.requestId && e.action !== 'refused')
        .map((e): GrantStep => ({
          action: e.action as GrantStep['action'],
          at: e.at,
          actor: e.actor,
          ...(e.reason ? { reason: e.reason } : {}),
        }));
      return {
        id: grant.id,
        source: 'grant-store',
        location: grant.requestId,
        consumer: grant.consumer,
        purposes: grant.purposes,
        fields: grant.fields.map((f) =>
          typeof f === 'string' ? { coordinate: f } : { coordinate: Object.keys(f)[0]!, mask: Object.values(f)[0]! },
        ),
        ...(grant.scope ? { scope: grant.scope } : {}),
        expires: grant.expires,
        approvedBy: grant.approvedBy,
        status: grant.revoked ? 'revoked' : expired ? 'expired' : 'in-force',
        // A deletion is attested after the grant ended: its expiry comes first.
        history: [
          ...steps.filter((step) => step.action !== 'deletion-attested'),
          ...(expired ? [{ action: 'expired' as const, at: grant.expires }] : []),
          ...steps.filter((step) => step.action === 'deletion-attested'),
        ],
        ...binding(grant.id, grant),
      };
    });
  const rank = { 'in-force': 0, expired: 1, revoked: 2 } as const;
  return [...fromPolicy, ...fromStore].sort(
    (a, b) => rank[a.status] - rank[b.status] || a.expires.localeCompare(b.expires) || a.id.localeCompare(b.id),
  );
}
