import { useCallback, useEffect, useState } from 'react';
import { api, type UsageView } from './api';
import { FieldBars, StackedBars } from './charts';
import type { Messages } from './messages';
import { OwedLists } from './owed';
import { PageHeading, Problem } from './shared';

const WINDOWS = ['24h', '7d', '30d', '90d'] as const;

/** RFC 4180 cells; a byte-order mark first so spreadsheet programs read the Chinese as UTF-8. */
export function csvText(rows: readonly (readonly (string | number)[])[]): string {
  const cell = (value: string | number) => {
    const text = String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return '\ufeff' + rows.map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** The table the page shows and the CSV holds: one row per consumer, purpose and data field. */
function fieldRows(t: Messages, view: UsageView): (string | number)[][] {
  return view.usage.flatMap((u) =>
    u.fields.map((f) => [
      view.agency,
      u.consumer,
      u.purpose ?? t.usage.noPurpose,
      f.field,
      f.released,
      f.masked,
      f.denied,
      u.requests,
      u.entities,
      u.lastSeen,
    ]),
  );
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  URL.revokeObjectURL(url);
}

/** The usage report as charts and tables: who read the agency's data, for what, how often, what was withheld. */
export function UsageView({ t, token, agency }: { t: Messages; token: string; agency: string }) {
  const [window, setWindow] = useState<(typeof WINDOWS)[number]>('7d');
  const [view, setView] = useState<UsageView>();
  const [error, setError] = useState<unknown>();
  const load = useCallback(() => {
    api.usage(token, agency, window).then((answer) => {
      setView(answer);
      setError(undefined);
    }, setError);
  }, [token, agency, window]);
  useEffect(load, [load]);
  const u = t.usage;
  const heading = (
    <PageHeading id="usage-title" t={t} title={u.title} onRefresh={load}>
      <label className="window">
        {u.window}{' '}
        <select name="window" value={window} onChange={(e) => setWindow(e.target.value as (typeof WINDOWS)[number])}>
          {WINDOWS.map((w) => (
            <option key={w} value={w}>
              {u.windows[w]}
            </option>
          ))}
        </select>
      </label>
    </PageHeading>
  );
  if (error)
    return (
      <section aria-labelledby="usage-title">
        {heading}
        <Problem t={t} error={error} />
      </section>
    );
  if (!view) return <p>{t.loading}</p>;
  const label = (x: { consumer: string; purpose: string | null }) => t.consumerPurpose(x.consumer, x.purpose);
  const byField = new Map<string, { field: string; released: number; masked: number; denied: number }>();
  for (const f of view.usage.flatMap((x) => x.fields)) {
    const sum = byField.get(f.field) ?? { field: f.field, released: 0, masked: 0, denied: 0 };
    sum.released += f.released;
    sum.masked += f.masked;
    sum.denied += f.denied;
    byField.set(f.field, sum);
  }
  const plumbing = new Set(view.usage.flatMap((x) => x.plumbing.map((p) => p.field)));
  const rows = fieldRows(t, view);
  return (
    <section aria-labelledby="usage-title" className="usage">
      {heading}
      <p className="time-note">{u.timeNote}</p>
      {view.auditFromRedis && <p className="hint">{u.fromRedis}</p>}
      <p>{u.summary(view.requests, view.entities, view.since, view.until)}</p>
      <OwedLists t={t} token={token} agency={agency} />
      {view.usage.length === 0 ? (
        <p>{u.none}</p>
      ) : (
        <>
          <h3>{u.perTime(view.bucket)}</h3>
          <StackedBars
            title={u.perTime(view.bucket)}
            buckets={view.buckets}
            series={view.usage.map((x) => ({ label: label(x), values: x.perBucket }))}
          />
          <table className="usage-consumers">
            <caption>{u.consumers}</caption>
            <thead>
              <tr>
                <th>{t.consumer}</th>
                <th>{u.requests}</th>
                <th>{u.records}</th>
                <th>{u.partial}</th>
                <th>{u.refused}</th>
                <th>{u.grants}</th>
                <th>{u.firstSeen}</th>
                <th>{u.lastSeen}</th>
              </tr>
            </thead>
            <tbody>
              {view.usage.map((x) => (
                <tr key={label(x)} data-consumer={x.consumer}>
                  <td>{label(x)}</td>
                  <td>{x.requests}</td>
                  <td>{x.entities}</td>
                  <td>{x.partial}</td>
                  <td>{x.refused}</td>
                  <td>{x.grants.join(', ')}</td>
                  <td>{x.firstSeen}</td>
                  <td>{x.lastSeen}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{u.fieldsTitle}</h3>
          <FieldBars
            title={u.fieldsTitle}
            rows={[...byField.values()]}
            labels={{ released: u.released, masked: u.masked, denied: u.withheld }}
          />
          <p>
            <button onClick={() => download(`usage-${view.agency}-${window}.csv`, csvText([u.csvHeader, ...rows]))}>
              {u.download}
            </button>
          </p>
          <table className="usage-fields">
            <thead>
              <tr>
                {u.csvHeader.slice(1).map((h) => (
                  <th key={h}>{h}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.slice(1, 4).join(' ')}>
                  {row.slice(1).map((cell, i) => (
                    <td key={i}>{i === 2 ? <code>{cell}</code> : cell}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {plumbing.size > 0 && (
            <details className="plumbing">
              <summary>{u.plumbing(plumbing.size)}</summary>
              <p>
                {[...plumbing].sort().map((field) => (
                  <code key={field}>{field}</code>
                ))}
              </p>
            </details>
          )}
        </>
      )}
    </section>
  );
}
