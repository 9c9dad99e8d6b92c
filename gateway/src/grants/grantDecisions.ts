import { formatLocation } from '../formats';
import { compileCasePattern, SCOPE_DIMENSIONS } from '../policy';
import { maskProblem } from './maskChoice';
import { missingParents } from './requestReach';
import type { GrantRequest, GrantStoreState, StoredGrant } from './model';
import { beijingDate } from './workingDays';
import {
  GrantWorkflowError,
  invalid,
  pendingRequest,
  separateDuties,
  event,
  addEvent,
  fieldOwners,
  validDate,
  type ApprovalInput,
  type DecisionInput,
  type WorkflowContext,
  type WorkflowStep,
} from './workflowSteps';

/** A CDO's answers to a grant request (approve, refuse) and the revocation of a grant, as pure steps over the store's state. */

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
  const added = parentFieldsToAdd(context, request, input.addFields ?? []);
  const fields = [...request.fields, ...added];
  const masks = input.masks ?? {};
  for (const [coordinate, mask] of Object.entries(masks)) {
    if (!fields.includes(coordinate))
      throw invalid(
        `--mask ${coordinate}: the request does not name ${coordinate} (it names ${request.fields.join(', ')}); a wildcard is masked field by field, so name the field`,
      );
    const problem = maskProblem(context.policySet.schema, coordinate, mask);
    if (problem) throw invalid(`--mask ${coordinate}=${mask}: ${problem}`);
  }
  const scope = input.scope ?? request.scope ?? {};
  for (const dimension of Object.keys(scope)) {
    if (!(SCOPE_DIMENSIONS as readonly string[]).includes(dimension))
      throw invalid(`unknown scope "${dimension}" (scopes the agencies apply: ${SCOPE_DIMENSIONS.join(', ')})`);
  }
  const binding = caseAndRetention(input);
  const at = context.now.toISOString();
  const grant: StoredGrant = {
    id: `GRANT-${request.id.replace(/^REQ-/, '')}`,
    agency: request.agency,
    consumer: request.consumer,
    purposes: [request.purpose],
    fields: fields.map((coordinate) => (masks[coordinate] ? { [coordinate]: masks[coordinate]! } : coordinate)),
    expires,
    approvedBy: input.by.trim(),
    approvedAt: at,
    requestId: request.id,
    ...(Object.keys(scope).length ? { scope: { ...scope } } : {}),
    ...binding,
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
      // The audit trail records what was granted: the requested fields and any parent added.
      ...event(
        { ...decided, fields },
        'approved',
        grant.approvedBy,
        at,
        [
          ...(added.length ? [`parent fields added: ${added.join(', ')}`] : []),
          ...(Object.keys(masks).length
            ? [
                `masked: ${Object.entries(masks)
                  .map(([f, m]) => `${f}=${m}`)
                  .join(', ')}`,
              ]
            : []),
          ...(binding.requireCase
            ? [`requires a case${binding.casePattern ? ` matching ${binding.casePattern}` : ''}`]
            : []),
          ...(binding.retainDays !== undefined ? [`kept at most ${binding.retainDays} day(s) after it ends`] : []),
          `expires ${expires}`,
        ].join('; '),
      ),
      grantId: grant.id,
    },
  );
  return { state: next, result: grant, warnings: [] };
}

/**
 * What an approval binds the grant to beside its fields: a case (checked like a policy file's
 * `casePattern`, so a pattern that would not compile is refused here with the reason) and how long
 * the consumer may keep what it received.
 */
function caseAndRetention(input: ApprovalInput): Pick<StoredGrant, 'requireCase' | 'casePattern' | 'retainDays'> {
  if (input.casePattern !== undefined && !input.requireCase)
    throw invalid('a case pattern (--case-pattern) binds nothing without --require-case');
  if (input.casePattern !== undefined) {
    const compiled = compileCasePattern(input.casePattern);
    if (!compiled.ok) throw invalid(compiled.error);
  }
  if (
    input.retainDays !== undefined &&
    !(Number.isInteger(input.retainDays) && input.retainDays >= 0 && input.retainDays <= 3650)
  )
    throw invalid(`retention "${input.retainDays}" is not a whole number of days from 0 to 3650`);
  return {
    ...(input.requireCase ? { requireCase: true } : {}),
    ...(input.requireCase && input.casePattern !== undefined ? { casePattern: input.casePattern } : {}),
    ...(input.retainDays !== undefined ? { retainDays: input.retainDays } : {}),
  };
}

/**
 * The parent fields an approval adds (the console's "add the parent field too"): each must be one
 * the request lacks a path through and its agency owns — an approval never becomes a way to grant
 * what nobody asked for and the request does not need.
 */
function parentFieldsToAdd(context: WorkflowContext, request: GrantRequest, addFields: readonly string[]): string[] {
  if (!addFields.length) return [];
  const needed = new Set(
    missingParents(context.policySet, request, context.now.getTime()).flatMap((p) => p.missing ?? []),
  );
  const added = [...new Set(addFields)].filter((coordinate) => !request.fields.includes(coordinate));
  for (const coordinate of added) {
    if (!needed.has(coordinate))
      throw invalid(
        `${coordinate} is not a parent field ${request.consumer} lacks to reach the requested fields (${[...needed].join(', ') || 'none is missing'})`,
      );
    if (!fieldOwners(context.policySet, coordinate).includes(request.agency))
      throw invalid(`${coordinate} is not ${request.agency}'s to grant: ask its agency's CDO`);
  }
  return added;
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
