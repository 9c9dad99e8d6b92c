import type { WorkCalendar } from '../grants';
import type { PolicySet } from '../policy';
import { answeringDecision, type AnswerRequest } from './answeringDecision';
import { DisputeError } from './disputeError';
import { allocateDisputeId } from './disputeIds';
import { disputeDueDate } from './dueDates';
import { filingDecision } from './filingDecision';
import type { Dispute, DisputeEvidence, DisputeStoreState } from './model';
import { beijingDate } from '../grants';

/** What a dispute step decides against: the policies in force, the holiday calendar, the clock. */
export interface DisputeContext {
  policySet: PolicySet;
  calendar: WorkCalendar;
  now: Date;
}

export interface DisputeStep<T> {
  state: DisputeStoreState;
  result: T;
}

export interface FilingInput {
  consumer: string;
  purpose?: string;
  coordinate: string;
  key: string;
  claim: string;
  evidence?: DisputeEvidence;
  /** Who filed it: the consumer itself over the admin API, the operator's name on the CLI. */
  filedBy: string;
}

/** Files a dispute: checked by `filingDecision`, numbered, due the agency's working days later. Pure. */
export function fileDispute(
  state: DisputeStoreState,
  context: DisputeContext,
  input: FilingInput,
): DisputeStep<Dispute> {
  const consumer = context.policySet.consumers.consumers.get(input.consumer);
  const verdict = filingDecision(
    context.policySet,
    { consumer, purpose: input.purpose, coordinate: input.coordinate, key: input.key, claim: input.claim },
    context.now.getTime(),
  );
  if (!verdict.ok) throw new DisputeError(verdict.code, verdict.message);
  const { id, lastNumber } = allocateDisputeId(state, beijingDate(context.now));
  const dispute: Dispute = {
    id,
    agency: verdict.agency,
    consumer: input.consumer,
    ...(verdict.purpose !== undefined ? { purpose: verdict.purpose } : {}),
    coordinate: input.coordinate,
    key: input.key.trim(),
    claim: input.claim.trim(),
    ...(input.evidence ? { evidence: input.evidence } : {}),
    filedAt: context.now.toISOString(),
    filedBy: input.filedBy,
    dueDate: disputeDueDate(context.now, context.policySet.disputeAnswerWorkingDays(verdict.agency), context.calendar),
    status: 'open',
  };
  return { state: { ...state, lastNumber, disputes: [...state.disputes, dispute] }, result: dispute };
}

/** Answers an open dispute: its agency's CDO, once, `confirmed` / `corrected` / `rejected` with a reason. Pure. */
export function answerDispute(
  state: DisputeStoreState,
  context: Pick<DisputeContext, 'now'>,
  id: string,
  input: AnswerRequest & { by: string },
): DisputeStep<Dispute> {
  const dispute = state.disputes.find((d) => d.id === id);
  const verdict = answeringDecision(dispute, id, input);
  if (!verdict.ok) throw new DisputeError(verdict.code, verdict.message);
  if (!input.by.trim()) throw new DisputeError('DISPUTE_INVALID', 'say who answers (--by NAME)');
  const answered: Dispute = {
    ...dispute!,
    status: 'answered',
    answer: { outcome: verdict.outcome, reason: verdict.reason, by: input.by.trim(), at: context.now.toISOString() },
  };
  return {
    state: { ...state, disputes: state.disputes.map((d) => (d.id === id ? answered : d)) },
    result: answered,
  };
}
