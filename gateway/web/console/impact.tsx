import { useEffect, useState } from 'react';
import type { DecisionPreview } from './api';
import type { Messages } from './messages';
import { beijingTime, Problem } from './shared';

/** An outcome as `policyImpact` writes it (`allow`, `mask name`, `deny GRANT_REQUIRED`) in the page's words. */
function outcome(t: Messages, text: string): string {
  if (text === 'allow') return t.impact.allow;
  const [effect, detail = ''] = [text.slice(0, text.indexOf(' ')), text.slice(text.indexOf(' ') + 1)];
  if (effect === 'mask') return t.impact.maskOutcome(t.masks[detail.replace(/\(\d+\)$/, '(n)')] ?? detail);
  return t.impact.denyOutcome(detail);
}

const who = (t: Messages, row: { consumer: string; purpose: string | null; operation: { name: string | null } }) =>
  `${t.consumerPurpose(row.consumer, row.purpose)} · ${row.operation.name ?? t.impact.anonymous}`;

/**
 * What a decision would do before it is confirmed: consumers' recent operations whose outcome
 * changes, objects that would become null, requested fields under a withheld parent — and, for an
 * approval, the parent fields the grant lacks with an offer to add them (`onAdd`).
 */
export function ImpactPreview(props: { t: Messages; preview: DecisionPreview; onAdd?: (fields: string[]) => void }) {
  const { t, preview } = props;
  const elsewhere = preview.parentFields.flatMap((p) => (p.missing ?? []).filter((f) => !p.addable.includes(f)));
  const addable = [...new Set(preview.parentFields.flatMap((p) => p.addable))];
  return (
    <section className="impact" aria-label={t.impact.title} data-decision={preview.decision}>
      <h4>{t.impact.title}</h4>
      <p className="hint">{t.impact.basis(preview.operations, preview.records, beijingTime(preview.since))}</p>
      {preview.records === 0 && <p className="warning">{t.impact.noRecords}</p>}
      {preview.auditFromRedis && <p className="hint">{t.impact.fromRedis}</p>}
      {preview.notJudged > 0 && <p className="hint">{t.impact.notJudged(preview.notJudged)}</p>}
      {preview.decision === 'refuse' && <p>{t.impact.refuseNote}</p>}
      {preview.changes.length > 0 ? (
        <table className="impact-changes">
          <caption>{t.impact.changes}</caption>
          <thead>
            <tr>
              <th>{t.consumer}</th>
              <th>{t.impact.times}</th>
              <th>{t.impact.field}</th>
              <th>{t.impact.change}</th>
            </tr>
          </thead>
          <tbody>
            {preview.changes.map((change) => (
              <tr
                key={`${change.consumer} ${change.purpose} ${change.operation.hash} ${change.coordinate}`}
                className={`change-${change.change.replace(' ', '-')}`}
              >
                <td>{who(t, change)}</td>
                <td>{change.count}</td>
                <td>
                  <code>{change.coordinate}</code>
                </td>
                <td>
                  <strong>{t.impact.changeNames[change.change] ?? change.change}</strong>{' '}
                  <small>
                    {outcome(t, change.before)} → {outcome(t, change.after)}
                  </small>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        preview.decision !== 'refuse' && <p>{t.impact.noChanges}</p>
      )}
      {preview.blanked.length > 0 && (
        <div className="warning">
          <p>{t.impact.blanked}</p>
          <ul>
            {preview.blanked.map((b) => (
              <li key={`${b.consumer} ${b.operation.hash} ${b.coordinate}`}>
                {who(t, b)}: {t.impact.blankedLine(b.coordinate, b.nulled.join(', '))}
              </li>
            ))}
          </ul>
        </div>
      )}
      {preview.unreachable.length > 0 && (
        <div className="warning">
          <p>{t.impact.unreachable}</p>
          <ul>
            {preview.unreachable.map((u) => (
              <li key={`${u.consumer} ${u.operation.hash} ${u.coordinate}`}>
                {who(t, u)}: {t.impact.unreachableLine(u.coordinate, u.missing.join(', '))}
              </li>
            ))}
          </ul>
        </div>
      )}
      {preview.parentFields.length > 0 && (
        <div className="warning parents">
          <p>{t.impact.parents}</p>
          <ul>
            {preview.parentFields.map((p) => (
              <li key={p.typeName}>
                {p.missing
                  ? t.impact.parentLine(p.coordinates.join(', '), p.typeName, p.missing.join(', '))
                  : t.impact.noPath(p.coordinates.join(', '), p.typeName)}
              </li>
            ))}
          </ul>
          {props.onAdd && addable.length > 0 && (
            <button type="button" onClick={() => props.onAdd!(addable)}>
              {t.impact.addParents(addable.join(', '))}
            </button>
          )}
          {elsewhere.length > 0 && <p className="hint">{t.impact.askElsewhere(elsewhere.join(', '))}</p>}
        </div>
      )}
    </section>
  );
}

/** Loads a preview once (refusal, revocation: nothing to choose) and shows it. */
export function LoadedImpact({ t, load }: { t: Messages; load: () => Promise<DecisionPreview> }) {
  const [preview, setPreview] = useState<DecisionPreview>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    load().then(setPreview, setError);
    // Once: the decision does not change while its form is open.
  }, []);
  if (error !== undefined) return <Problem t={t} error={error} />;
  return preview ? <ImpactPreview t={t} preview={preview} /> : <p className="hint">{t.impact.loading}</p>;
}
