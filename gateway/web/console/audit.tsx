import { useCallback, useEffect, useState } from 'react';
import { api, type AuditState, type SchemaVersions, type Verification } from './api';
import type { Messages } from './messages';
import { PageHeading, Problem } from './shared';

/** The audit trail's state (checkpoints, witness, the last verification) and the agency's schema versions. */
export function AuditView({ t, token, agency }: { t: Messages; token: string; agency: string }) {
  const [state, setState] = useState<AuditState>();
  const [versions, setVersions] = useState<SchemaVersions>();
  const [error, setError] = useState<unknown>();
  const [verifying, setVerifying] = useState(false);
  const load = useCallback(() => {
    Promise.all([api.auditState(token, agency), api.schemaVersions(token, agency)]).then(([audit, schema]) => {
      setState(audit);
      setVersions(schema);
      setError(undefined);
    }, setError);
  }, [token, agency]);
  useEffect(load, [load]);
  const a = t.audit;
  const verify = () => {
    setVerifying(true);
    api
      .verifyAudit(token, agency)
      .then((answer) => setState((s) => s && { ...s, lastVerification: answer.lastVerification }), setError)
      .finally(() => setVerifying(false));
  };
  const heading = <PageHeading id="audit-title" t={t} title={a.title} onRefresh={load} />;
  if (error !== undefined && !state)
    return (
      <section aria-labelledby="audit-title">
        {heading}
        <Problem t={t} error={error} />
      </section>
    );
  if (!state || !versions) return <p>{t.loading}</p>;
  return (
    <section aria-labelledby="audit-title" className="supervision">
      {heading}
      <p className="time-note">{t.usage.timeNote}</p>
      {error !== undefined && <Problem t={t} error={error} />}
      <h3>{a.trailTitle}</h3>
      {state.auditFromRedis && <p className="hint">{a.fromRedis}</p>}
      <table className="audit-chains">
        <thead>
          <tr>
            <th>{a.chain}</th>
            <th>{a.trailId}</th>
            <th>{a.checkpoint}</th>
            <th>{a.witness}</th>
          </tr>
        </thead>
        <tbody>
          {state.chains.map((chain) => (
            <tr key={chain.chain}>
              <td>
                <code>{chain.chain}</code>
              </td>
              <td>
                <small>{chain.trailId ?? a.none}</small>
              </td>
              <td>
                {chain.lastCheckpoint ? a.checkpointLine(chain.lastCheckpoint.seq, chain.lastCheckpoint.time) : a.none}
              </td>
              <td>
                {chain.witnessed
                  ? a.witnessLine(chain.witnessed.seq, chain.witnessed.time, state.witness)
                  : a.noWitness(state.witness)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="verification">
        <h4>{a.lastVerify}</h4>
        {state.lastVerification ? (
          <VerificationResult t={t} verification={state.lastVerification} />
        ) : (
          <p className="hint">{a.neverVerified}</p>
        )}
        <button onClick={verify} disabled={verifying}>
          {verifying ? a.verifying : a.verifyNow}
        </button>
      </div>
      <h3>{a.schemaTitle}</h3>
      <SchemaVersionTable t={t} versions={versions} />
    </section>
  );
}

function VerificationResult({ t, verification }: { t: Messages; verification: Verification }) {
  const a = t.audit;
  return (
    <div data-verified={verification.chains.every((c) => c.ok) ? 'ok' : 'broken'}>
      <p className="hint">{a.verifiedAt(verification.at, verification.by)}</p>
      <ul>
        {verification.chains.map((chain) => (
          <li key={chain.chain} className={chain.ok ? 'verified-ok' : 'verified-broken'}>
            <code>{chain.chain}</code>{' '}
            <strong>{chain.ok ? a.ok(chain.records, chain.checkpoints) : a.broken(chain.problems.length)}</strong>
            {[...chain.problems, ...chain.warnings].length > 0 && (
              <ul>
                {[...chain.problems, ...chain.warnings].map((line) => (
                  <li key={line}>
                    <small>{line}</small>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

function SchemaVersionTable({ t, versions }: { t: Messages; versions: SchemaVersions }) {
  const a = t.audit;
  if (versions.registry === 'off')
    return (
      <>
        <p>{a.registryOff(versions.supergraphFile ?? '')}</p>
        <p className="hint">{a.servedSupergraph(versions.servedSupergraph)}</p>
      </>
    );
  if (versions.registry === 'unused') return <p>{a.notSeeded}</p>;
  return (
    <>
      <p className="hint">{a.servedSupergraph(versions.servedSupergraph)}</p>
      <table className="schema-versions">
        <thead>
          <tr>
            <th>{a.version}</th>
            <th>{a.publishedAt}</th>
            <th>{a.author}</th>
            <th>{a.source}</th>
            <th>{a.reason}</th>
            <th>{a.checks}</th>
          </tr>
        </thead>
        <tbody>
          {versions.versions.map((v) => (
            <tr key={v.version} data-version={v.version} className={v.served ? 'served' : ''}>
              <td>
                <strong>v{v.version}</strong> {v.served && <span className="status status-in-force">{a.served}</span>}
                <br />
                <small>{v.sdlHash}</small>
              </td>
              <td>{v.publishedAt}</td>
              <td>{v.author}</td>
              <td>
                {a.sources[v.source] ?? v.source}
                {v.restores && (
                  <>
                    <br />
                    <small>{a.restores(v.restores)}</small>
                  </>
                )}
              </td>
              <td>{v.reason}</td>
              <td>
                {v.checks.passed ? (
                  a.checksPassed
                ) : (
                  <div className="warning">
                    {a.checksForced(v.checks.errors.length)}
                    <ul>
                      {v.checks.errors.map((e) => (
                        <li key={e}>
                          <small>{e}</small>
                        </li>
                      ))}
                    </ul>
                  </div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
