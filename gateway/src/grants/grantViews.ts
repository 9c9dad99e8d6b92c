import { stringify } from 'yaml';
import type { RuntimeGrantInput } from '../policy';
import type { GrantRequest, GrantStoreState, StoredGrant } from './model';
import { workingDaysBetween, type WorkCalendar } from './workingDays';

/** Read-only views of the grant store's state: a CDO's inbox, the grants the policy compiler reads, the YAML export. */

export interface ListedRequest extends GrantRequest {
  overdue: boolean;
  /** Working days left until the deadline (negative when overdue); only for pending requests. */
  workingDaysLeft?: number;
}

/** Requests for an agency's CDO (or a consumer), newest first; `overdue` once the deadline has passed unanswered. */
export function listRequests(
  state: GrantStoreState,
  filter: { agency?: string; consumer?: string; status?: 'pending' | 'overdue' | 'all' },
  today: string,
  calendar: WorkCalendar,
): ListedRequest[] {
  return state.requests
    .filter(
      (r) => (!filter.agency || r.agency === filter.agency) && (!filter.consumer || r.consumer === filter.consumer),
    )
    .map((r) => {
      if (r.status !== 'pending') return { ...r, overdue: false };
      const overdue = today > r.deadline;
      const left = overdue
        ? -workingDaysBetween(r.deadline, today, calendar)
        : workingDaysBetween(today, r.deadline, calendar);
      return { ...r, overdue, workingDaysLeft: left };
    })
    .filter((r) =>
      filter.status === 'pending' ? r.status === 'pending' : filter.status === 'overdue' ? r.overdue : true,
    )
    .reverse();
}

/**
 * The store's grants as the policy compiler reads them: revoked ones marked so, which releases
 * nothing and only lets a denial say the grant was revoked.
 */
export function runtimeGrantInputs(state: GrantStoreState, store: string): RuntimeGrantInput[] {
  return state.grants.map((grant) => ({
    agency: grant.agency,
    store,
    ...(grant.revoked ? { revoked: { at: grant.revoked.at, by: grant.revoked.by } } : {}),
    grant: {
      id: grant.id,
      consumer: grant.consumer,
      purposes: grant.purposes,
      fields: grant.fields,
      expires: grant.expires,
      approvedBy: grant.approvedBy,
      ...(grant.scope ? { scope: grant.scope } : {}),
      ...caseAndRetentionOf(grant),
      note: `approved ${grant.approvedAt} on request ${grant.requestId}`,
    },
  }));
}

/** A store grant's case binding and retention, in the policy file's keys. */
function caseAndRetentionOf(grant: StoredGrant): Pick<StoredGrant, 'requireCase' | 'casePattern' | 'retainDays'> {
  return {
    ...(grant.requireCase ? { requireCase: true } : {}),
    ...(grant.casePattern !== undefined ? { casePattern: grant.casePattern } : {}),
    ...(grant.retainDays !== undefined ? { retainDays: grant.retainDays } : {}),
  };
}

/** `hub grant export`: an agency's store grants in force, in the policy file's `grants:` format, for review beside it. */
export function exportGrantsYaml(state: GrantStoreState, agency: string, today: string): string {
  const grants = state.grants.filter((g) => g.agency === agency && !g.revoked && g.expires >= today);
  const body = stringify({
    grants: grants.map((g) => ({
      id: g.id,
      consumer: g.consumer,
      purposes: g.purposes,
      fields: g.fields,
      ...(g.scope ? { scope: g.scope } : {}),
      ...caseAndRetentionOf(g),
      expires: g.expires,
      approvedBy: g.approvedBy,
      note: `approved ${g.approvedAt.slice(0, 10)} on request ${g.requestId}`,
    })),
  });
  return `# Grants of ${agency} in force in the grant store on ${today} (${grants.length}), exported by \`hub grant export\`.\n# Same format as the grants: section of schema/policies/${agency}.yaml; the store stays the source of truth.\n${body}`;
}
