import { useCallback, useEffect, useState } from 'react';
import { api, type ListedDispute } from './api';
import type { Messages } from './messages';
import { FormProblems, useReasonedSubmit } from './reasonForm';
import { beijingTime, PageHeading, Problem } from './shared';

const OUTCOMES = ['confirmed', 'corrected', 'rejected'] as const;

/** The agency's disputes: those awaiting an answer first (overdue, then by due date), each answered in place. */
export function DisputesView({ t, token, agency }: { t: Messages; token: string; agency: string }) {
  const [disputes, setDisputes] = useState<ListedDispute[]>();
  const [error, setError] = useState<unknown>();
  const [answering, setAnswering] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const load = useCallback(() => {
    api.disputes(token, agency).then((answer) => {
      setDisputes(answer.disputes);
      setError(undefined);
    }, setError);
  }, [token, agency]);
  useEffect(load, [load]);
  const d = t.disputes;
  const open = (disputes ?? [])
    .filter((x) => x.status === 'open')
    .sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.dueDate.localeCompare(b.dueDate));
  const answered = (disputes ?? []).filter((x) => x.status === 'answered');
  return (
    <section aria-labelledby="disputes-title" className="disputes">
      <PageHeading id="disputes-title" t={t} title={d.title} count={open.length} onRefresh={load} notice={notice} />
      <p className="hint">{d.intro}</p>
      {error !== undefined && <Problem t={t} error={error} />}
      {!disputes && error === undefined && <p>{t.loading}</p>}
      {disputes && disputes.length === 0 && <p>{d.none}</p>}
      {open.length > 0 && <h3>{d.open}</h3>}
      <ul className="requests">
        {open.map((x) => (
          <li key={x.id} className={x.overdue ? 'overdue' : ''} data-dispute={x.id}>
            <DisputeFacts t={t} dispute={x} />
            <p className={`countdown${x.overdue ? ' late' : ''}`}>
              {d.due(x.dueDate)} ·{' '}
              {x.overdue ? d.daysLate(Math.max(1, -(x.workingDaysLeft ?? 0))) : d.daysLeft(x.workingDaysLeft ?? 0)}
            </p>
            {answering === x.id ? (
              <AnswerForm
                t={t}
                onCancel={() => setAnswering(undefined)}
                run={(outcome, reason) => api.answerDispute(token, x.id, outcome, reason)}
                onDone={(outcome) => {
                  setAnswering(undefined);
                  setNotice(d.answeredNotice(x.id, d.outcomes[outcome] ?? outcome));
                  load();
                }}
              />
            ) : (
              <div className="actions">
                <button onClick={() => setAnswering(x.id)}>{d.answer}</button>
              </div>
            )}
          </li>
        ))}
      </ul>
      {answered.length > 0 && <h3>{d.answered}</h3>}
      <ul className="requests decided">
        {answered.map((x) => (
          <li key={x.id} data-dispute={x.id}>
            <DisputeFacts t={t} dispute={x} />
            <p>
              <strong>{d.outcomes[x.answer!.outcome]}</strong> · {d.answeredBy(x.answer!.by, beijingTime(x.answer!.at))}
              : {x.answer!.reason}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}

function DisputeFacts({ t, dispute }: { t: Messages; dispute: ListedDispute }) {
  const d = t.disputes;
  return (
    <>
      <p>
        <strong>{dispute.id}</strong> · <code>{d.record(dispute.coordinate, dispute.key)}</code> ·{' '}
        {d.filedBy(dispute.consumer, dispute.purpose)} · {beijingTime(dispute.filedAt)}
      </p>
      <blockquote>{dispute.claim}</blockquote>
      {dispute.evidence && (
        <p className="hint">{d.evidence(dispute.evidence.name, dispute.evidence.bytes, dispute.evidence.sha256)}</p>
      )}
    </>
  );
}

/** The answer: one of the three outcomes and a reason (both required; the gateway checks them again). */
function AnswerForm(props: {
  t: Messages;
  run: (outcome: string, reason: string) => Promise<unknown>;
  onCancel: () => void;
  onDone: (outcome: string) => void;
}) {
  const { t } = props;
  const d = t.disputes;
  const [outcome, setOutcome] = useState<string>('');
  const [reason, setReason] = useState('');
  const { submit, problem, error } = useReasonedSubmit({
    missing: () => (outcome && reason.trim() ? undefined : t.errors.DISPUTE_INVALID),
    run: () => props.run(outcome, reason.trim()),
    onDone: () => props.onDone(outcome),
  });
  return (
    <form className="decision" onSubmit={submit} aria-label={d.answer}>
      <fieldset>
        <legend>{d.outcome}</legend>
        {OUTCOMES.map((value) => (
          <label key={value}>
            <input
              type="radio"
              name="outcome"
              value={value}
              checked={outcome === value}
              onChange={() => setOutcome(value)}
            />{' '}
            {d.outcomes[value]}
          </label>
        ))}
      </fieldset>
      <label>
        {d.reason}
        <textarea name="reason" rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      <FormProblems t={t} problem={problem} error={error} />
      <div className="actions">
        <button type="submit">{d.submit}</button>
        <button type="button" className="quiet" onClick={props.onCancel}>
          {t.cancel}
        </button>
      </div>
    </form>
  );
}
