import { useCallback, useEffect, useState, type FormEvent } from 'react';
import {
  api,
  inboxOrder,
  type ApprovalBody,
  type ApprovalChoices,
  type DecisionPreview,
  type ListedRequest,
} from './api';
import { ImpactPreview } from './impact';
import { ReasonForm } from './reasonForm';
import { DISTRICTS, type Lang, type Messages } from './messages';
import { beijingTime, PageHeading, Problem, Status } from './shared';

interface Props {
  t: Messages;
  lang: Lang;
  token: string;
  agency: string;
}

/** The agency's grant requests: those waiting first (overdue, then by deadline), each approved or refused in place. */
export function InboxView({ t, lang, token, agency }: Props) {
  const [requests, setRequests] = useState<ListedRequest[]>();
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const [open, setOpen] = useState<{ id: string; action: 'approve' | 'refuse' }>();
  const load = useCallback(() => {
    api.requests(token, agency).then(
      (answer) => {
        setRequests(answer.requests);
        setError(undefined);
      },
      (e: unknown) => setError(e),
    );
  }, [token, agency]);
  useEffect(load, [load]);
  const done = (message: string) => {
    setOpen(undefined);
    setNotice(message);
    load();
  };
  if (error && !requests) return <Problem t={t} error={error} />;
  if (!requests) return <p>{t.loading}</p>;
  const { pending, decided } = inboxOrder(requests);
  return (
    <section aria-labelledby="inbox-title">
      <PageHeading id="inbox-title" t={t} title={t.inbox} count={pending.length} onRefresh={load} notice={notice} />
      {pending.length === 0 && <p>{t.noPending}</p>}
      <ul className="requests">
        {pending.map((request) => (
          <li key={request.id} className={request.overdue ? 'overdue' : ''} data-request={request.id}>
            <RequestFacts t={t} request={request} />
            <p className={`countdown${request.overdue ? ' late' : ''}`}>
              {countdown(t, request)} · {t.deadline} {request.deadline}
            </p>
            {open?.id === request.id ? (
              open.action === 'approve' ? (
                <ApproveForm
                  t={t}
                  lang={lang}
                  token={token}
                  request={request}
                  onCancel={() => setOpen(undefined)}
                  onDone={(id) => done(t.approved(id))}
                />
              ) : (
                <ReasonForm
                  t={t}
                  label={t.refuseReason}
                  confirm={t.confirmRefuse}
                  run={(reason) => api.refuse(token, request.id, reason)}
                  impact={() => api.refusalImpact(token, request.id)}
                  onCancel={() => setOpen(undefined)}
                  onDone={() => done(t.refused(request.id))}
                />
              )
            ) : (
              <div className="actions">
                <button onClick={() => setOpen({ id: request.id, action: 'approve' })}>{t.approve}</button>
                <button className="danger" onClick={() => setOpen({ id: request.id, action: 'refuse' })}>
                  {t.refuse}
                </button>
              </div>
            )}
          </li>
        ))}
      </ul>
      {decided.length > 0 && (
        <>
          <h3>{t.decided}</h3>
          <ul className="requests decided">
            {decided.map((request) => (
              <li key={request.id} data-request={request.id}>
                <RequestFacts t={t} request={request} />
                <p>
                  <Status t={t} status={request.status} /> {request.decision?.by}{' '}
                  {request.decision && beijingTime(request.decision.at)}
                  {request.decision?.grantId && ` · ${request.decision.grantId}`}
                  {request.decision?.reason && ` · ${request.decision.reason}`}
                </p>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function countdown(t: Messages, request: ListedRequest): string {
  const left = request.workingDaysLeft ?? 0;
  if (request.overdue) return t.daysOverdue(Math.max(1, -left));
  return left === 0 ? t.dueToday : t.daysLeft(left);
}

function RequestFacts({ t, request }: { t: Messages; request: ListedRequest }) {
  return (
    <dl>
      <dt>{t.request}</dt>
      <dd>
        <strong>{request.id}</strong> · {beijingTime(request.requestedAt)}
      </dd>
      <dt>{t.consumer}</dt>
      <dd>{request.consumer}</dd>
      <dt>{t.purpose}</dt>
      <dd>{request.purpose}</dd>
      <dt>{t.fields}</dt>
      <dd>
        {request.fields.map((f) => (
          <code key={f}>{f}</code>
        ))}
      </dd>
      <dt>{t.reason}</dt>
      <dd>{request.reason}</dd>
      {request.scope && (
        <>
          <dt>{t.scope}</dt>
          <dd>{Object.entries(request.scope).map(([k, v]) => `${k}=${v}`)}</dd>
        </>
      )}
      {request.until && (
        <>
          <dt>{t.requestedUntil}</dt>
          <dd>{request.until}</dd>
        </>
      )}
    </dl>
  );
}

function defaultExpiry(request: ListedRequest): string {
  if (request.until) return request.until;
  const inAYear = new Date(Date.now() + 365 * 86_400_000);
  return inAYear.toISOString().slice(0, 10);
}

function ApproveForm(props: {
  t: Messages;
  lang: Lang;
  token: string;
  request: ListedRequest;
  onCancel: () => void;
  onDone: (grantId: string) => void;
}) {
  const { t, lang, token, request } = props;
  const [choices, setChoices] = useState<ApprovalChoices>();
  const [expires, setExpires] = useState(defaultExpiry(request));
  const [district, setDistrict] = useState(request.scope?.districtCode ?? '');
  const [masks, setMasks] = useState<Record<string, string>>({});
  const [steps, setSteps] = useState<Record<string, string>>({});
  const [addFields, setAddFields] = useState<string[]>([]);
  const [requireCase, setRequireCase] = useState(false);
  const [casePattern, setCasePattern] = useState('');
  const [retainDays, setRetainDays] = useState('');
  const [error, setError] = useState<unknown>();
  const [preview, setPreview] = useState<{ for: string; impact?: DecisionPreview; error?: unknown }>();
  useEffect(() => {
    api.choices(token, request.id).then(setChoices, setError);
  }, [token, request.id]);
  const body: ApprovalBody = {
    expires,
    masks: Object.fromEntries(
      Object.entries(masks)
        .filter(([, mask]) => mask !== '')
        .map(([field, mask]) => [field, mask === 'round(n)' ? `round(${steps[field] || '10000'})` : mask]),
    ),
    scope: district ? { districtCode: district } : {},
    addFields,
  };
  const asked = JSON.stringify(body);
  // The impact of exactly what would be approved: asked again whenever a choice changes.
  useEffect(() => {
    let current = true;
    setPreview({ for: asked });
    api.approvalImpact(token, request.id, JSON.parse(asked) as ApprovalBody).then(
      (impact) => current && setPreview({ for: asked, impact }),
      (e: unknown) => current && setPreview({ for: asked, error: e }),
    );
    return () => {
      current = false;
    };
  }, [token, request.id, asked]);
  const previewed = preview?.for === asked && preview.impact !== undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (!previewed) return;
    // The case binding and the holding period change no past operation's outcome: not in the preview.
    const binding = {
      ...(requireCase ? { requireCase: true, ...(casePattern.trim() ? { casePattern: casePattern.trim() } : {}) } : {}),
      ...(retainDays !== '' ? { retainDays: Number(retainDays) } : {}),
    };
    api.approve(token, request.id, { ...body, ...binding }).then((answer) => props.onDone(answer.grant.id), setError);
  };
  if (!choices) return error ? <Problem t={t} error={error} /> : <p>{t.loading}</p>;
  return (
    <form className="decision" onSubmit={submit} aria-label={`${t.approve} ${request.id}`}>
      <label>
        {t.expires}
        <input
          type="date"
          name="expires"
          required
          value={expires}
          onChange={(e) => {
            setExpires(e.target.value);
            setError(undefined);
          }}
        />
      </label>
      {choices.scopeDimensions.includes('districtCode') && (
        <label>
          {t.rowScope}
          <select name="districtCode" value={district} onChange={(e) => setDistrict(e.target.value)}>
            <option value="">{t.allRows}</option>
            {DISTRICTS.map((d) => (
              <option key={d.code} value={d.code}>
                {d.code} {d[lang]}
              </option>
            ))}
          </select>
        </label>
      )}
      <fieldset>
        <legend>{t.mask}</legend>
        {choices.fields.map((field) => (
          <div className="field-mask" key={field.coordinate}>
            <label>
              <code>{field.coordinate}</code> <small>{[field.type, field.sharingClass, field.level].join(' · ')}</small>
              <select
                name={`mask:${field.coordinate}`}
                value={masks[field.coordinate] ?? ''}
                disabled={field.masks.length === 0}
                onChange={(e) => setMasks({ ...masks, [field.coordinate]: e.target.value })}
              >
                <option value="">{t.noMask}</option>
                {field.masks.map((mask) => (
                  <option key={mask} value={mask}>
                    {t.masks[mask] ?? mask}
                  </option>
                ))}
              </select>
            </label>
            {masks[field.coordinate] === 'round(n)' && (
              <label>
                {t.roundStep}
                <input
                  type="number"
                  min="1"
                  value={steps[field.coordinate] ?? '10000'}
                  onChange={(e) => setSteps({ ...steps, [field.coordinate]: e.target.value })}
                />
              </label>
            )}
          </div>
        ))}
      </fieldset>
      <fieldset>
        <legend>{t.caseAndRetention}</legend>
        <label>
          <input
            type="checkbox"
            name="requireCase"
            checked={requireCase}
            onChange={(e) => setRequireCase(e.target.checked)}
          />{' '}
          {t.requireCase}
        </label>
        {requireCase && (
          <label>
            {t.casePattern}
            <input
              name="casePattern"
              maxLength={128}
              placeholder="FGW-[0-9]{4}-[0-9]{6}"
              value={casePattern}
              onChange={(e) => setCasePattern(e.target.value)}
            />
          </label>
        )}
        <label>
          {t.retainDays}
          <input
            type="number"
            name="retainDays"
            min="0"
            max="3650"
            value={retainDays}
            onChange={(e) => setRetainDays(e.target.value)}
          />
        </label>
      </fieldset>
      {addFields.length > 0 && (
        <p className="added">
          {t.impact.added}:{' '}
          {addFields.map((field) => (
            <code key={field}>{field}</code>
          ))}{' '}
          <button type="button" className="quiet" onClick={() => setAddFields([])}>
            {t.impact.remove}
          </button>
        </p>
      )}
      {preview?.error !== undefined ? (
        <Problem t={t} error={preview.error} />
      ) : preview?.impact ? (
        <ImpactPreview
          t={t}
          preview={preview.impact}
          onAdd={(fields) => setAddFields([...new Set([...addFields, ...fields])])}
        />
      ) : (
        <p className="hint">{t.impact.loading}</p>
      )}
      {error !== undefined && <Problem t={t} error={error} />}
      <div className="actions">
        <button type="submit" disabled={!previewed} title={previewed ? undefined : t.previewFirst}>
          {t.confirmApprove}
        </button>
        <button type="button" className="quiet" onClick={props.onCancel}>
          {t.cancel}
        </button>
      </div>
    </form>
  );
}
