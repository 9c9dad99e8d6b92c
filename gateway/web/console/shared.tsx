import type { ReactNode } from 'react';
import { ApiError } from './api';
import type { Messages } from './messages';

/** An admin API refusal in plain words, with the gateway's own message beneath for the record. */
export function Problem({ t, error }: { t: Messages; error: unknown }) {
  const code = error instanceof ApiError ? error.code : 'UNKNOWN';
  return (
    <div role="alert" className="problem" data-code={code}>
      <p>{t.errors[code] ?? t.errors.UNKNOWN}</p>
      <details>
        <summary>
          {t.detail} ({code})
        </summary>
        <p>{error instanceof Error ? error.message : String(error)}</p>
      </details>
    </div>
  );
}

/** A status word as a coloured badge. */
export function Status({ t, status }: { t: Messages; status: string }) {
  return <span className={`status status-${status}`}>{t.statusNames[status] ?? status}</span>;
}

/** An ISO time in Beijing time (the hub's expiries and deadlines are Beijing dates). */
export function beijingTime(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * A page's heading — its title, an optional count badge and the refresh button — and the notice
 * of the last action taken on it, the same on every page of the console.
 */
export function PageHeading(props: {
  id: string;
  t: Messages;
  title: string;
  count?: number;
  onRefresh: () => void;
  notice?: string | undefined;
  children?: ReactNode;
}) {
  const { t } = props;
  return (
    <>
      <h2 id={props.id}>
        {props.title} {props.count !== undefined && <span className="count">{props.count}</span>}
        <button className="quiet" onClick={props.onRefresh}>
          {t.refresh}
        </button>
        {props.children}
      </h2>
      {props.notice && (
        <p role="status" className="notice">
          {props.notice}
        </p>
      )}
    </>
  );
}
