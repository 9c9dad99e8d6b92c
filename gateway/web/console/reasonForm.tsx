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
  const [error, setError] = useState<unknown>();
  const [problem, setProblem] = useState<string>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (!reason.trim()) return setProblem(t.reasonNeeded);
    setProblem(undefined);
    props.run(reason.trim()).then(props.onDone, setError);
  };
  return (
    <form className="decision" onSubmit={submit} aria-label={props.confirm}>
      <label>
        {props.label}
        <textarea name="reason" rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      {props.impact && <LoadedImpact t={t} load={props.impact} />}
      {problem && <p className="problem">{problem}</p>}
      {error !== undefined && <Problem t={t} error={error} />}
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
