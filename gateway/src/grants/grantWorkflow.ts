import { isObjectType } from 'graphql';
import { stringify } from 'yaml';
import type { ErrorCode } from '../errors';
import { formatLocation } from '../formats';
import { SCOPE_DIMENSIONS, type PolicySet, type RuntimeGrantInput } from '../policy';
import type { GrantEvent, GrantRequest, GrantStoreState, StoredGrant } from './model';
import { dutiesConflict } from './separationOfDuties';
import { addWorkingDays, beijingDate, uncoveredYears, workingDaysBetween, type WorkCalendar } from './workingDays';

/**
 * The grant workflow as pure functions over the store's state: each takes the current state and
 * returns the next one (with the event it adds), or a refusal with a catalogued code. The CLI and
 * the admin API run them inside `GrantStore.update`, so every step is atomic and locked.
 */

/** Working days a CDO has to answer (DOMAIN: 10 working days). */
export const ANSWER_WITHIN_WORKING_DAYS = 10;

export class GrantWorkflowError extends Error {
  constructor(
    readonly code: Extract<
      ErrorCode,
      'GRANT_REQUEST_INVALID' | 'GRANT_NOT_FOUND' | 'GRANT_CONFLICT' | 'FORBIDDEN' | 'SEPARATION_OF_DUTIES'
    >,
    message: string,
  ) {
    super(message);
  }
}

export interface WorkflowContext {
  policySet: PolicySet;
  calendar: WorkCalendar;
  now: Date;
}

export interface GrantRequestInput {
  consumer: string;
  fields: readonly string[];
  purpose: string;
  reason: string;
  scope?: Readonly<Record<string, string>>;
  until?: string;
  /** The owning agency, when the fields alone do not say. */
  agency?: string;
  /** Who filed it (the consumer itself over the API; an operator name on the CLI). */
  requestedBy: string;
}

export interface WorkflowStep<T> {
  state: GrantStoreState;
  result: T;
  warnings: string[];
}

const invalid = (message: string) => new GrantWorkflowError('GRANT_REQUEST_INVALID', message);

/**
 * Files a request. Checks the consumer, its purpose, the fields and who owns them; drops fields
 * already UNCONDITIONAL (with a warning). A request naming NOT_SHARED fields is recorded and
 * refused at once by the policy, with the legal basis the policy records.
 */
export function requestGrant(
  state: GrantStoreState,
  context: WorkflowContext,
  input: GrantRequestInput,
): WorkflowStep<GrantRequest> {
  const { policySet } = context;
  const warnings: string[] = [];
  const consumer = policySet.consumers.consumers.get(input.consumer);
  if (!consumer)
    throw invalid(
      `unknown consumer "${input.consumer}" (registered: ${[...policySet.consumers.consumers.keys()].join(', ')})`,
    );
  if (consumer.kind === 'PUBLIC')
    throw invalid('the public consumer cannot hold grants: register the department as a consumer');
  if (!consumer.purposes.includes(input.purpose))
    throw invalid(
      `consumer "${consumer.id}" may not state purpose "${input.purpose}" (its purposes: ${consumer.purposes.join(', ') || 'none'})`,
    );
  if (!input.reason.trim()) throw invalid('give a reason: the duty and use scenario the data is for');
  if (!input.fields.length) throw invalid('name at least one field (Type.field or Type.*)');
  for (const dimension of Object.keys(input.scope ?? {})) {
    if (!(SCOPE_DIMENSIONS as readonly string[]).includes(dimension))
      throw invalid(`unknown scope "${dimension}" (scopes the agencies apply: ${SCOPE_DIMENSIONS.join(', ')})`);
  }
  const today = beijingDate(context.now);
  if (input.until !== undefined && !(validDate(input.until) && input.until > today))
    throw invalid(`--until "${input.until}" is not a date (YYYY-MM-DD) after today (${today})`);

  // Which agency owns every named field: that agency's CDO decides.
  const owners = input.fields.map((coordinate) => ({ coordinate, agencies: fieldOwners(policySet, coordinate) }));
  let agency = input.agency;
  if (agency) {
    const foreign = owners.filter((o) => !o.agencies.includes(agency!));
    if (foreign.length)
      throw invalid(
        `${agency} does not resolve ${foreign.map((o) => `${o.coordinate} (${o.agencies.join(', ')})`).join(', ')}; only a field's owning agency can grant it`,
      );
  } else {
    const common = owners.reduce<string[]>(
      (acc, o) => acc.filter((a) => o.agencies.includes(a)),
      [...owners[0]!.agencies],
    );
    if (common.length === 0)
      throw invalid(
        `the fields belong to different agencies: ${owners.map((o) => `${o.coordinate} (${o.agencies.join(', ')})`).join(', ')}; send one request per agency`,
      );
    if (common.length > 1)
      throw invalid(`several agencies resolve these fields (${common.join(', ')}); say which one with --agency`);
    agency = common[0]!;
  }
  if (consumer.agency === agency)
    throw invalid(`${consumer.id} belongs to ${agency} and reads its data in full already`);

  const notShared: string[] = [];
  const fields: string[] = [];
  for (const { coordinate } of owners) {
    if (coordinate.endsWith('.*')) {
      fields.push(coordinate);
      continue;
    }
    const classification = policySet.classify(coordinate, agency);
    if (classification.sharingClass === 'NOT_SHARED')
      notShared.push(
        `${coordinate} is NOT_SHARED: ${classification.legalBasis ?? 'no legal basis recorded'} (${formatLocation(classification.source)})`,
      );
    else if (classification.sharingClass === 'UNCONDITIONAL')
      warnings.push(`${coordinate} is UNCONDITIONAL: shared without a grant, left out of the request`);
    else fields.push(coordinate);
  }
  if (!fields.length && !notShared.length)
    throw invalid('every named field is UNCONDITIONAL already: nothing to request');

  const deadline = addWorkingDays(today, ANSWER_WITHIN_WORKING_DAYS, context.calendar);
  const uncovered = uncoveredYears(today, deadline, context.calendar);
  if (uncovered.length)
    warnings.push(
      `the holiday calendar (${context.calendar.source}) has no arrangements for ${uncovered.join(', ')}: the deadline counts weekends only there`,
    );
  const at = context.now.toISOString();
  const request: GrantRequest = {
    id: nextRequestId(state, today),
    agency,
    consumer: consumer.id,
    fields: notShared.length ? input.fields.slice() : fields,
    purpose: input.purpose,
    reason: input.reason.trim(),
    ...(input.scope && Object.keys(input.scope).length ? { scope: { ...input.scope } } : {}),
    ...(input.until ? { until: input.until } : {}),
    requestedAt: at,
    requestedBy: input.requestedBy,
    deadline,
    status: notShared.length ? 'refused' : 'pending',
    ...(notShared.length ? { decision: { by: 'policy', at, reason: notShared.join('; ') } } : {}),
  };
  let next = addEvent(
    { ...state, requests: [...state.requests, request] },
    event(request, 'requested', input.requestedBy, at, input.reason.trim()),
  );
  if (notShared.length) next = addEvent(next, event(request, 'refused', 'policy', at, request.decision!.reason));
  return { state: next, result: request, warnings };
}

export interface ApprovalInput {
  by: string;
  /** `Type.field` → mask (`name`, `round(10)`…), for fields of the request. */
  masks?: Readonly<Record<string, string>>;
  /** Last day of validity; defaults to the `until` the consumer asked for. */
  expires?: string;
  /** When set, the approver acts for this agency only (the admin API passes the token's CDO roles). */
  actingFor?: readonly string[];
  /** Every name the approver acts under (default: `by`); see separationOfDuties.ts. */
  actingAs?: readonly string[];
}

/** A refusal or revocation: who, why, and (admin API) for which agencies and under which names. */
export interface DecisionInput {
  by: string;
  reason: string;
  actingFor?: readonly string[];
  actingAs?: readonly string[];
}

/** Approves a pending request: the grant it creates is in force on every gateway once they reload. */
export function approveRequest(
  state: GrantStoreState,
  context: WorkflowContext,
  requestId: string,
  input: ApprovalInput,
): WorkflowStep<StoredGrant> {
  const request = pendingRequest(state, requestId, input.actingFor);
  if (!input.by.trim()) throw invalid('say who approves (--by NAME)');
  separateDuties(request, input, 'approve');
  const today = beijingDate(context.now);
  const expires = input.expires ?? request.until;
  if (!expires) throw invalid(`the request asks for no expiry: give one (--expires YYYY-MM-DD)`);
  if (!validDate(expires) || expires <= today)
    throw invalid(`expiry "${expires}" is not a date (YYYY-MM-DD) after today (${today})`);
  const masks = input.masks ?? {};
  for (const coordinate of Object.keys(masks)) {
    if (!request.fields.includes(coordinate))
      throw invalid(
        `--mask ${coordinate}: the request does not name ${coordinate} (it names ${request.fields.join(', ')}); a wildcard is masked field by field, so name the field`,
      );
  }
  const at = context.now.toISOString();
  const grant: StoredGrant = {
    id: `GRANT-${request.id.replace(/^REQ-/, '')}`,
    agency: request.agency,
    consumer: request.consumer,
    purposes: [request.purpose],
    fields: request.fields.map((coordinate) => (masks[coordinate] ? { [coordinate]: masks[coordinate]! } : coordinate)),
    expires,
    approvedBy: input.by.trim(),
    approvedAt: at,
    requestId: request.id,
    ...(request.scope ? { scope: request.scope } : {}),
  };
  const decided: GrantRequest = {
    ...request,
    status: 'approved',
    decision: { by: grant.approvedBy, at, grantId: grant.id },
  };
  const next = addEvent(
    {
      ...state,
      requests: state.requests.map((r) => (r.id === request.id ? decided : r)),
      grants: [...state.grants, grant],
    },
    {
      ...event(
        decided,
        'approved',
        grant.approvedBy,
        at,
        Object.keys(masks).length
          ? `masked: ${Object.entries(masks)
              .map(([f, m]) => `${f}=${m}`)
              .join(', ')}; expires ${expires}`
          : `expires ${expires}`,
      ),
      grantId: grant.id,
    },
  );
  return { state: next, result: grant, warnings: [] };
}

/** Refuses a pending request; the reason goes to the consumer and the audit trail. */
export function refuseRequest(
  state: GrantStoreState,
  context: WorkflowContext,
  requestId: string,
  input: DecisionInput,
): WorkflowStep<GrantRequest> {
  const request = pendingRequest(state, requestId, input.actingFor);
  if (!input.by.trim()) throw invalid('say who refuses (--by NAME)');
  separateDuties(request, input, 'refuse');
  if (!input.reason.trim()) throw invalid('a refusal needs a reason (--reason TEXT)');
  const at = context.now.toISOString();
  const decided: GrantRequest = {
    ...request,
    status: 'refused',
    decision: { by: input.by.trim(), at, reason: input.reason.trim() },
  };
  const next = addEvent(
    { ...state, requests: state.requests.map((r) => (r.id === request.id ? decided : r)) },
    event(decided, 'refused', input.by.trim(), at, input.reason.trim()),
  );
  return { state: next, result: decided, warnings: [] };
}

/** Revokes a grant from the store: it stops releasing data on each gateway's next reload. */
export function revokeGrant(
  state: GrantStoreState,
  context: WorkflowContext,
  grantId: string,
  input: DecisionInput,
): WorkflowStep<StoredGrant> {
  const grant = state.grants.find((g) => g.id === grantId);
  if (!grant) {
    const inPolicy = context.policySet.grants.find((g) => g.id === grantId && g.origin === 'policy-file');
    if (inPolicy)
      throw new GrantWorkflowError(
        'GRANT_CONFLICT',
        `grant ${grantId} is written in ${formatLocation(inPolicy.source)}; the CDO revokes it by removing it there`,
      );
    throw new GrantWorkflowError('GRANT_NOT_FOUND', `no grant "${grantId}" in the grant store`);
  }
  if (input.actingFor && !input.actingFor.includes(grant.agency))
    throw new GrantWorkflowError(
      'FORBIDDEN',
      `only ${grant.agency}'s CDO (role cdo:${grant.agency}) can revoke ${grantId}`,
    );
  if (grant.revoked)
    throw new GrantWorkflowError(
      'GRANT_CONFLICT',
      `grant ${grantId} was revoked on ${grant.revoked.at} by ${grant.revoked.by}`,
    );
  const request = state.requests.find((r) => r.id === grant.requestId);
  separateDuties(
    { id: grant.id, consumer: grant.consumer, requestedBy: request?.requestedBy ?? grant.consumer },
    input,
    'revoke',
  );
  if (!input.reason.trim()) throw invalid('a revocation needs a reason (--reason TEXT)');
  const at = context.now.toISOString();
  const revoked: StoredGrant = {
    ...grant,
    revoked: { by: input.by.trim() || 'unknown', at, reason: input.reason.trim() },
  };
  const next = addEvent(
    { ...state, grants: state.grants.map((g) => (g.id === grant.id ? revoked : g)) },
    {
      seq: 0,
      at,
      action: 'revoked',
      actor: revoked.revoked!.by,
      agency: grant.agency,
      consumer: grant.consumer,
      purpose: grant.purposes.join(' '),
      fields: grant.fields.map((f) => (typeof f === 'string' ? f : Object.keys(f)[0]!)),
      requestId: request?.id ?? grant.requestId,
      grantId: grant.id,
      reason: input.reason.trim(),
    },
  );
  return { state: next, result: revoked, warnings: [] };
}

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

/** The store's grants in force, as the policy compiler reads them (revoked ones excluded). */
export function runtimeGrantInputs(state: GrantStoreState, store: string): RuntimeGrantInput[] {
  return state.grants
    .filter((grant) => !grant.revoked)
    .map((grant) => ({
      agency: grant.agency,
      store,
      grant: {
        id: grant.id,
        consumer: grant.consumer,
        purposes: grant.purposes,
        fields: grant.fields,
        expires: grant.expires,
        approvedBy: grant.approvedBy,
        ...(grant.scope ? { scope: grant.scope } : {}),
        note: `approved ${grant.approvedAt} on request ${grant.requestId}`,
      },
    }));
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
      expires: g.expires,
      approvedBy: g.approvedBy,
      note: `approved ${g.approvedAt.slice(0, 10)} on request ${g.requestId}`,
    })),
  });
  return `# Grants of ${agency} in force in the grant store on ${today} (${grants.length}), exported by \`hub grant export\`.\n# Same format as the grants: section of schema/policies/${agency}.yaml; the store stays the source of truth.\n${body}`;
}

function pendingRequest(
  state: GrantStoreState,
  requestId: string,
  actingFor: readonly string[] | undefined,
): GrantRequest {
  const request = state.requests.find((r) => r.id === requestId);
  if (!request) throw new GrantWorkflowError('GRANT_NOT_FOUND', `no grant request "${requestId}"`);
  if (actingFor && !actingFor.includes(request.agency))
    throw new GrantWorkflowError(
      'FORBIDDEN',
      `only ${request.agency}'s CDO (role cdo:${request.agency}) can decide ${requestId}`,
    );
  if (request.status !== 'pending')
    throw new GrantWorkflowError(
      'GRANT_CONFLICT',
      `request ${requestId} was already ${request.status} by ${request.decision?.by ?? '?'} on ${request.decision?.at ?? '?'}`,
    );
  return request;
}

function separateDuties(
  request: { id: string; consumer: string; requestedBy: string },
  input: { by: string; actingAs?: readonly string[] },
  step: 'approve' | 'refuse' | 'revoke',
): void {
  const conflict = dutiesConflict(request, input.actingAs ?? [input.by], step);
  if (conflict) throw new GrantWorkflowError('SEPARATION_OF_DUTIES', conflict);
}

function fieldOwners(policySet: PolicySet, coordinate: string): string[] {
  const match = /^([A-Za-z_]\w*)\.(\*|[A-Za-z_]\w*)$/.exec(coordinate);
  if (!match) throw invalid(`"${coordinate}" is not a field coordinate: write Type.field or Type.*`);
  const [, typeName, fieldName] = match as unknown as [string, string, string];
  const type = policySet.schema.getType(typeName);
  if (!type || !isObjectType(type) || typeName.startsWith('__'))
    throw invalid(`unknown type "${typeName}" in ${coordinate}`);
  if (fieldName === '*') return [...(policySet.ownership.types.get(typeName) ?? [])];
  if (!type.getFields()[fieldName]) throw invalid(`unknown field ${coordinate}`);
  return [...(policySet.ownership.resolvers.get(coordinate) ?? [])];
}

function nextRequestId(state: GrantStoreState, today: string): string {
  const year = today.slice(0, 4);
  const numbers = state.requests
    .map((r) => /^REQ-(\d{4})-(\d+)$/.exec(r.id))
    .filter((m) => m?.[1] === year)
    .map((m) => Number(m![2]));
  return `REQ-${year}-${String(Math.max(0, ...numbers) + 1).padStart(4, '0')}`;
}

function event(
  request: GrantRequest,
  action: GrantEvent['action'],
  actor: string,
  at: string,
  reason?: string,
): GrantEvent {
  return {
    seq: 0,
    at,
    action,
    actor,
    agency: request.agency,
    consumer: request.consumer,
    purpose: request.purpose,
    fields: request.fields,
    requestId: request.id,
    ...(reason ? { reason } : {}),
  };
}

function addEvent(state: GrantStoreState, entry: GrantEvent): GrantStoreState {
  const seq = (state.events[state.events.length - 1]?.seq ?? 0) + 1;
  return { ...state, events: [...state.events, { ...entry, seq }] };
}

function validDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const at = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === text;
}
