import { useEffect, useState } from 'react';
import { api, type AttestationDue, type ListedDispute } from './api';
import type { Messages } from './messages';
import { Problem } from './shared';

/**
 * What the agency's counterparts are owed and owe, beside its usage: disputes awaiting the CDO's
 * answer (overdue first) and deletion attestations consumers have not given by their due date —
 * the lists `hub audit report` ends with.
 */
export function OwedLists({ t, token, agency }: { t: Messages; token: string; agency: string }) {
  const [disputes, setDisputes] = useState<ListedDispute[]>();
  const [attestations, setAttestations] = useState<AttestationDue[]>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    Promise.all([api.disputes(token, agency), api.attestations(token, agency)]).then(([d, a]) => {
      setDisputes(d.disputes.filter((x) => x.status === 'open'));
      setAttestations(a.attestations.filter((x) => x.status === 'overdue'));
    }, setError);
  }, [token, agency]);
  const o = t.owed;
  if (error !== undefined) return <Problem t={t} error={error} />;
  if (!disputes || !attestations) return null;
  const overdue = disputes.filter((x) => x.overdue).length;
  return (
    <div className="owed">
      <h3>{o.disputesTitle}</h3>
      <p>{o.disputesSummary(disputes.length, overdue)}</p>
      {disputes.length > 0 && (
        <table className="owed-disputes">
          <thead>
            <tr>
              <th>{o.dispute}</th>
              <th>{o.consumer}</th>
              <th>{o.field}</th>
              <th>{o.due}</th>
            </tr>
          </thead>
          <tbody>
            {[...disputes]
              .sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.dueDate.localeCompare(b.dueDate))
              .map((x) => (
                <tr key={x.id} data-dispute={x.id} className={x.overdue ? 'overdue' : ''}>
                  <td>{x.id}</td>
                  <td>{x.consumer}</td>
                  <td>
                    <code>{x.coordinate}</code> {x.key}
                  </td>
                  <td>
                    {x.dueDate}
                    {x.overdue && <span className="status status-deletion-overdue"> {o.overdue}</span>}
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
      <h3>{o.attestationsTitle}</h3>
      {attestations.length === 0 ? (
        <p>{o.attestationsNone}</p>
      ) : (
        <table className="owed-attestations">
          <thead>
            <tr>
              <th>{o.grant}</th>
              <th>{o.consumer}</th>
              <th>{o.ended}</th>
              <th>{o.dueBy}</th>
            </tr>
          </thead>
          <tbody>
            {attestations.map((a) => (
              <tr key={`${a.id} ${a.consumer}`} data-grant={a.id}>
                <td>{a.id}</td>
                <td>{a.consumer}</td>
                <td>{a.ended}</td>
                <td>{a.dueBy}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
