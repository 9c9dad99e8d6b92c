import { useCallback, useEffect, useState } from 'react';
import { api, type RegisteredGrant } from './api';
import { ReasonForm } from './reasonForm';
import type { Messages } from './messages';
import { beijingTime, PageHeading, Problem, Status } from './shared';

/** Every grant of the agency — policy file and grant store — with its status and history; store grants revocable here. */
export function GrantsView({ t, token, agency }: { t: Messages; token: string; agency: string }) {
  const [grants, setGrants] = useState<RegisteredGrant[]>();
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const [revoking, setRevoking] = useState<string>();
  const load = useCallback(() => {
    api.register(token, agency).then((answer) => {
      setGrants(answer.grants);
      setError(undefined);
    }, setError);
  }, [token, agency]);
  useEffect(load, [load]);
  if (error && !grants) return <Problem t={t} error={error} />;
  if (!grants) return <p>{t.loading}</p>;
  return (
    <section aria-labelledby="grants-title">
      <PageHeading
        id="grants-title"
        t={t}
        title={t.grants}
        count={grants.filter((g) => g.status === 'in-force').length}
        onRefresh={load}
        notice={notice}
      />
      {grants.length === 0 && <p>{t.noGrants}</p>}
      <table className="grants">
        <thead>
          <tr>
            <th>ID</th>
            <th>{t.source}</th>
            <th>{t.consumer}</th>
            <th>{t.fields}</th>
            <th>{t.expires}</th>
            <th>{t.status}</th>
            <th>{t.history}</th>
          </tr>
        </thead>
        <tbody>
          {grants.map((grant) => (
            <tr key={grant.id} data-grant={grant.id} className={`grant-${grant.status}`}>
              <td>
                <strong>{grant.id}</strong>
              </td>
              <td>
                <span className="source">{grant.source === 'policy-file' ? t.sourcePolicy : t.sourceStore}</span>
                <br />
                <small>{grant.location}</small>
              </td>
              <td>
                {grant.consumer}
                <br />
                <small>
                  {t.purpose}: {grant.purposes.join(', ')}
                </small>
                {grant.scope && (
                  <>
                    <br />
                    <small>
                      {t.scope}:{' '}
                      {Object.entries(grant.scope)
                        .map(([k, v]) => `${k}=${v}`)
                        .join(', ')}
                    </small>
                  </>
                )}
              </td>
              <td>
                {grant.fields.map((f) => (
                  <code key={f.coordinate}>
                    {f.coordinate}
                    {f.mask && ` → ${t.masks[f.mask.replace(/^round\(.*\)$/, 'round(n)')] ?? f.mask} (${f.mask})`}
                  </code>
                ))}
              </td>
              <td>{grant.expires}</td>
              <td>
                <Status t={t} status={grant.status} />
                {grant.requireCase && (
                  <>
                    <br />
                    <small className="case-bound">{t.caseBound(grant.casePattern)}</small>
                  </>
                )}
                {grant.retainDays !== undefined && (
                  <>
                    <br />
                    <small>{t.retention(grant.retainDays)}</small>
                  </>
                )}
                {grant.deletion && (
                  <>
                    <br />
                    <span className={`status status-deletion-${grant.deletion.status}`}>
                      {t.deletionStatus[grant.deletion.status]}
                    </span>{' '}
                    <small>{t.deletionDue(grant.deletion.dueBy)}</small>
                  </>
                )}
              </td>
              <td>
                <ol className="history">
                  {grant.history.map((step, i) => (
                    <li key={i}>
                      <Status t={t} status={step.action} />{' '}
                      {step.at && (step.at.length > 10 ? beijingTime(step.at) : step.at)} {step.actor}
                      {step.reason && <small> · {step.reason}</small>}
                    </li>
                  ))}
                </ol>
                {grant.status === 'in-force' &&
                  (grant.source === 'grant-store' ? (
                    revoking === grant.id ? (
                      <ReasonForm
                        t={t}
                        label={t.revokeReason}
                        confirm={t.confirmRevoke}
                        run={(reason) => api.revoke(token, grant.id, reason)}
                        impact={() => api.revocationImpact(token, grant.id)}
                        onCancel={() => setRevoking(undefined)}
                        onDone={() => {
                          setRevoking(undefined);
                          setNotice(t.revoked(grant.id));
                          load();
                        }}
                      />
                    ) : (
                      <button className="danger" onClick={() => setRevoking(grant.id)}>
                        {t.revoke}
                      </button>
                    )
                  ) : (
                    <small className="hint">{t.policyFileRevoke}</small>
                  ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
