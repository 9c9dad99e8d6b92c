import { formatLocation } from '../formats';
import { SCOPE_DIMENSIONS } from '../policy';
import type { GrantRequest, GrantStoreState } from './model';
import { addWorkingDays, beijingDate, uncoveredYears } from './workingDays';
import {
  ANSWER_WITHIN_WORKING_DAYS,
  invalid,
  fieldOwners,
  nextRequestId,
  event,
  addEvent,
  validDate,
  type GrantRequestInput,
  type WorkflowContext,
  type WorkflowStep,
} from './workflowSteps';

/**
 * The grant workflow as pure functions over the store's state: each takes the current state and
 * returns the next one (with the event it adds), or a refusal with a catalogued code. The CLI and
 * the admin API run them inside `GrantStore.update`, so every step is atomic and locked.
 */

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
