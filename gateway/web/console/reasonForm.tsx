import { useState, type FormEvent } from 'react';
import type { DecisionPreview } from './api';
import { LoadedImpact } from './impact';
import type { Messages } from './messages';
import { Problem } from './shared';

/** A refusal or revocation: a reason is required (it goes to the consumer and the audit trail). */
export function ReasonForm(props: {
  t: Messages;
  label: string;
  confirm: string;
  run: (reason: string) => Promise<unknown>;
  /** The decision's impact preview, shown above the confirmation. */
  impact?: () => Promise<DecisionPreview>;
  onCancel: () => void;
  onDone: () => void;
}) {
  const { t } = props;
  const [reason, setReason] = useState('');
  const { submit, problem, error } = useReasonedSubmit({
    missing: () => (reason.trim() ? undefined : t.reasonNeeded),
    run: () => props.run(reason.trim()),
    onDone: props.onDone,
  });
  return (
    <form className="decision" onSubmit={submit} aria-label={props.confirm}>
      <label>
        {props.label}
        <textarea name="reason" rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      {props.impact && <LoadedImpact t={t} load={props.impact} />}
      <FormProblems t={t} problem={problem} error={error} />
      <div className="actions">
        <button type="submit" className="danger">
          {props.confirm}
        </button>
        <button type="button" className="quiet" onClick={props.onCancel}>
          {t.cancel}
        </button>
      </div>
    </form>
  );
}

/**
 * The submission of a form a CDO must give a reason in: refused with `problem` while something is
 * missing, otherwise run, with the server's refusal kept in `error` to show.
 */
export function useReasonedSubmit(options: {
  missing: () => string | undefined;
  run: () => Promise<unknown>;
  onDone: () => void;
}): { submit: (event: FormEvent) => void; problem?: string; error: unknown } {
  const [error, setError] = useState<unknown>();
  const [problem, setProblem] = useState<string>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    const missing = options.missing();
    setProblem(missing);
    if (!missing) options.run().then(options.onDone, setError);
  };
  return { submit, ...(problem ? { problem } : {}), error };
}

/** What stopped a form: a missing entry, or the server's refusal. */
export function FormProblems(props: { t: Messages; problem?: string | undefined; error: unknown }) {
  return (
    <>
      {props.problem && <p className="problem">{props.problem}</p>}
      {props.error !== undefined && <Problem t={props.t} error={props.error} />}
    </>
  );
}
