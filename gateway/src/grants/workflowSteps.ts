import { isObjectType } from 'graphql';
import type { ErrorCode } from '../errors';
import { type PolicySet } from '../policy';
import type { GrantEvent, GrantRequest, GrantStoreState } from './model';
import { dutiesConflict } from './separationOfDuties';
import { type WorkCalendar } from './workingDays';

/** What the grant workflow's steps share: their inputs, their refusal, the events they append. */

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

export const invalid = (message: string) => new GrantWorkflowError('GRANT_REQUEST_INVALID', message);

export interface ApprovalInput {
  by: string;
  /** `Type.field` → mask (`name`, `round(10)`…), for fields of the request. */
  masks?: Readonly<Record<string, string>>;
  /** Last day of validity; defaults to the `until` the consumer asked for. */
  expires?: string;
  /** Row scope of the grant (dimension → value), replacing the one requested; `{}` grants all rows. */
  scope?: Readonly<Record<string, string>>;
  /**
   * Parent fields granted beside the requested ones, so that those can be used (`School.teachers`
   * for a request of `Teacher.name`): only fields the request lacks a path through, of its agency.
   */
  addFields?: readonly string[];
  /** Requests under the grant must name their case (`x-case-id`). */
  requireCase?: boolean;
  /** The agency's case-reference format (casePattern.ts); needs `requireCase`. */
  casePattern?: string;
  /** Days the consumer may keep what it received once the grant ends (then it attests deletion). */
  retainDays?: number;
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

export function pendingRequest(
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

export function separateDuties(
  request: { id: string; consumer: string; requestedBy: string },
  input: { by: string; actingAs?: readonly string[] },
  step: 'approve' | 'refuse' | 'revoke',
): void {
  const conflict = dutiesConflict(request, input.actingAs ?? [input.by], step);
  if (conflict) throw new GrantWorkflowError('SEPARATION_OF_DUTIES', conflict);
}

export function fieldOwners(policySet: PolicySet, coordinate: string): string[] {
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

export function nextRequestId(state: GrantStoreState, today: string): string {
  const year = today.slice(0, 4);
  const numbers = state.requests
    .map((r) => /^REQ-(\d{4})-(\d+)$/.exec(r.id))
    .filter((m) => m?.[1] === year)
    .map((m) => Number(m![2]));
  return `REQ-${year}-${String(Math.max(0, ...numbers) + 1).padStart(4, '0')}`;
}

export function event(
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

export function addEvent(state: GrantStoreState, entry: GrantEvent): GrantStoreState {
  const seq = (state.events[state.events.length - 1]?.seq ?? 0) + 1;
  return { ...state, events: [...state.events, { ...entry, seq }] };
}

export function validDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const at = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === text;
}
