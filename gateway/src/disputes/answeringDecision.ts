import { beijingDate } from '../grants';
import type { DisputeRefusal } from './disputeError';
import { MAX_DISPUTE_TEXT } from './filingDecision';
import { DISPUTE_OUTCOMES, type Dispute, type DisputeOutcome } from './model';

export interface AnswerRequest {
  outcome: string;
  reason: string;
  /**
   * The agencies the answerer is CDO of (the admin API passes the token's `cdo:<agency>` roles);
   * undefined on the CLI, whose operator acts with the store's file access as every CDO.
   */
  actingFor: readonly string[] | undefined;
}

/**
 * Who may answer a dispute, and with what: the owning agency's CDO, once, with one of the three
 * outcomes and a reason. Unknown id first, then the role, then a closed dispute, so a caller
 * without the role learns only that the id exists. Pure.
 */
export function answeringDecision(
  dispute: Dispute | undefined,
  id: string,
  request: AnswerRequest,
): { ok: true; outcome: DisputeOutcome; reason: string } | DisputeRefusal {
  if (!/^DSP-\d{4}-\d{4,}$/.test(id))
    return { ok: false, code: 'DISPUTE_INVALID', message: `"${id}" is not a dispute id: they read DSP-YYYY-NNNN` };
  if (!dispute) return { ok: false, code: 'DISPUTE_NOT_FOUND', message: `no dispute "${id}"` };
  if (request.actingFor && !request.actingFor.includes(dispute.agency))
    return {
      ok: false,
      code: 'FORBIDDEN',
      message: `only ${dispute.agency}'s CDO (role cdo:${dispute.agency}) answers ${id}`,
    };
  if (dispute.status !== 'open')
    return {
      ok: false,
      code: 'DISPUTE_CLOSED',
      message: `${id} was already answered: ${dispute.answer?.outcome ?? '?'} by ${dispute.answer?.by ?? '?'} on ${dispute.answer ? beijingDate(new Date(dispute.answer.at)) : '?'}`,
    };
  if (!(DISPUTE_OUTCOMES as readonly string[]).includes(request.outcome))
    return {
      ok: false,
      code: 'DISPUTE_INVALID',
      message: `"${request.outcome}" is not an outcome: answer ${DISPUTE_OUTCOMES.join(', ')}`,
    };
  const reason = request.reason.trim();
  if (!reason) return { ok: false, code: 'DISPUTE_INVALID', message: 'give the reason for the answer' };
  if (reason.length > MAX_DISPUTE_TEXT)
    return { ok: false, code: 'DISPUTE_INVALID', message: `the reason is longer than ${MAX_DISPUTE_TEXT} characters` };
  return { ok: true, outcome: request.outcome as DisputeOutcome, reason };
}
