/**
 * The roles a token may carry, and which consumer directory entries may hold each. A role is authority over
 * something other than data: deciding on an agency's grants (`cdo:<agency>`) or reading how the
 * hub runs (`hub-operator`). Who may hold a role is written in the consumer directory (`roles:` of an entry)
 * and checked here when the directory loads, so that a directory granting an agency's CDO role to
 * another department never loads.
 */

/** Reads `/metrics` and the detail of `/readyz`, purges the response cache. */
export const HUB_OPERATOR_ROLE = 'hub-operator';

const CDO_PREFIX = 'cdo:';

/** Decides on the grants of one agency: approve, refuse, revoke, list its requests; purge the cache of its types. */
export const cdoRole = (agency: string): string => `${CDO_PREFIX}${agency}`;

/** The agency a `cdo:<agency>` role is for; undefined for any other role. */
export function cdoAgency(role: string): string | undefined {
  return role.startsWith(CDO_PREFIX) ? role.slice(CDO_PREFIX.length) : undefined;
}

/** The roles the hub knows, as the consumer directory writes them. */
export const ROLE_PATTERN = /^(cdo:[a-z][a-z0-9-]*|hub-operator)$/;

/** What of a directory entry decides which roles it may hold. */
export interface RoleHolder {
  id: string;
  kind: string;
  agency?: string | undefined;
}

/**
 * Why `holder` may not hold `role`, or undefined when it may:
 * - `cdo:<agency>` only by that agency's own consumer (kind AGENCY) or a named CDO identity of it
 *   (kind CDO), each with `agency: <agency>`;
 * - `hub-operator` only by a named operator (kind OPERATOR).
 */
export function roleBindingProblem(holder: RoleHolder, role: string): string | undefined {
  const agency = cdoAgency(role);
  if (agency !== undefined) {
    if ((holder.kind === 'AGENCY' || holder.kind === 'CDO') && holder.agency === agency) return undefined;
    return `"${holder.id}" (${holder.kind}${holder.agency ? `, agency ${holder.agency}` : ''}) may not hold ${role}: only ${agency}'s own consumer (kind AGENCY, agency ${agency}) or a named CDO identity of ${agency} (kind CDO, agency ${agency}) may`;
  }
  if (role === HUB_OPERATOR_ROLE) {
    if (holder.kind === 'OPERATOR') return undefined;
    return `"${holder.id}" (${holder.kind}) may not hold ${role}: only a named operator (kind OPERATOR) may`;
  }
  return `"${holder.id}" names an unknown role "${role}" (roles: cdo:<agency>, ${HUB_OPERATOR_ROLE})`;
}
