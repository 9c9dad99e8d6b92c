import { ToolbarButton, useGraphiQL, type TabsState } from '@graphiql/react';
import type { Fetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { Kind, parse } from 'graphql';
import 'graphiql/style.css';
import { StrictMode, useMemo, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import './playground.css';

/**
 * The analysts' playground: GraphiQL, bundled with its editor workers and served by the gateway
 * (nothing from a CDN), behind a small bar where the analyst says who is asking and for what —
 * a token (or, in development, a registered consumer) and a purpose. Each identity gets its own
 * fetcher, and GraphiQL introspects again through it: the docs explorer shows that consumer's own
 * schema. Nothing is chosen while signed out; a consumer's purposes are its registered ones; an
 * example tab says whom it was written for and can switch to that identity; "Download CSV" asks
 * the gateway for the current tab's answer as a table (`Accept: text/csv`).
 */

interface PlaygroundConfig {
  endpoint: string;
  assets: string;
  /** Development only: the gateway signs short-lived tokens for registered consumers. */
  devTokens: boolean;
  devTokenUrl: string;
  consumers: { id: string; name: string; purposes: string[] }[];
  examples: { title: string; query: string; consumer?: string; purpose?: string }[];
}

const config = JSON.parse(document.getElementById('playground-config')!.textContent!) as PlaygroundConfig;

// Monaco's workers, built beside this bundle.
(globalThis as { MonacoEnvironment?: unknown }).MonacoEnvironment = {
  getWorker(_id: string, label: string) {
    const name = label === 'json' ? 'json' : label === 'graphql' ? 'graphql' : 'editor';
    return new Worker(`${config.assets}/${name}.worker.js`, { type: 'module' });
  },
};

interface Identity {
  token: string;
  purpose: string;
  label: string;
}

/** What the last answer withheld or refused, grouped by error code, for a reader in a hurry. */
interface Summary {
  withheld: { code: string; message: string }[];
  ok: boolean;
}

function summarize(result: unknown): Summary {
  const errors = ((result as { errors?: { message: string; extensions?: { code?: string } }[] })?.errors ?? []).map(
    (e) => ({ code: e.extensions?.code ?? 'ERROR', message: e.message }),
  );
  return { withheld: errors, ok: errors.length === 0 };
}

/**
 * GraphiQL can send the operation name of the tab shown a moment ago when a tab is run right
 * after switching: with a single operation in the document, its own name is the one meant.
 */
function withCurrentOperationName<T extends { query: string; operationName?: string | null }>(params: T): T {
  let names: string[];
  try {
    names = parse(params.query).definitions.flatMap((d) =>
      d.kind === Kind.OPERATION_DEFINITION ? [d.name?.value ?? ''] : [],
    );
  } catch {
    return params; // the gateway answers a syntax error itself
  }
  if (!params.operationName || names.includes(params.operationName) || names.length !== 1) return params;
  return { ...params, operationName: names[0] || null };
}

const purposesOf = (consumer: string) => config.consumers.find((c) => c.id === consumer)?.purposes ?? [];

/** A tab's query and variables as the editors hold them now. */
interface Current {
  query: string;
  variables: string;
}

function Playground() {
  const [consumer, setConsumerState] = useState('');
  const [token, setToken] = useState('');
  const [purpose, setPurpose] = useState('');
  const [identity, setIdentity] = useState<Identity | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const [summary, setSummary] = useState<Summary | undefined>();
  const [current, setCurrent] = useState<Current>({ query: config.examples[0]?.query ?? '', variables: '' });
  const purposes = purposesOf(consumer);
  // A consumer's purposes are its registered ones: choosing a consumer chooses its first purpose.
  const setConsumer = (id: string) => {
    setConsumerState(id);
    setPurpose(purposesOf(id)[0] ?? '');
  };

  const signIn = async (as: { consumer: string; purpose: string; token: string }) => {
    setProblem(undefined);
    let bearer = as.token.trim();
    let label = 'token';
    if (config.devTokens && !bearer) {
      if (!as.consumer) return setProblem('choose a consumer, or paste a token');
      const response = await fetch(`${config.devTokenUrl}?consumer=${encodeURIComponent(as.consumer)}`);
      const body = (await response.json()) as { token?: string; error?: string };
      if (!body.token) return setProblem(body.error ?? 'no development token');
      bearer = body.token;
      label = as.consumer;
    }
    setSummary(undefined);
    setIdentity({ token: bearer, purpose: as.purpose.trim(), label });
  };
  const apply = (event: FormEvent) => {
    event.preventDefault();
    void signIn({ consumer, purpose, token });
  };

  // The example the current tab shows, while unchanged: whom it was written for.
  const example = config.examples.find((e) => e.query.trim() === current.query.trim() && e.consumer);
  const exampleIdentityDiffers =
    example && (identity?.label !== example.consumer || (identity?.purpose ?? '') !== (example.purpose ?? ''));
  const askAsExample = () => {
    if (!example?.consumer) return;
    setConsumerState(example.consumer);
    setPurpose(example.purpose ?? '');
    setToken('');
    void signIn({ consumer: example.consumer, purpose: example.purpose ?? '', token: '' });
  };

  const downloadCsv = async (query: string, variablesText: string) => {
    setProblem(undefined);
    let variables: unknown;
    try {
      variables = variablesText.trim() ? JSON.parse(variablesText) : {};
    } catch {
      return setProblem('the variables are not valid JSON');
    }
    const params = withCurrentOperationName({ query, variables, operationName: null });
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/csv' };
    if (identity?.token) headers.authorization = `Bearer ${identity.token}`;
    if (identity?.purpose) headers['x-data-purpose'] = identity.purpose;
    const response = await fetch(config.endpoint, { method: 'POST', headers, body: JSON.stringify(params) });
    if (!response.headers.get('content-type')?.startsWith('text/csv')) {
      const body = (await response.json().catch(() => ({}))) as { errors?: { message: string }[] };
      return setProblem(`no CSV: ${body.errors?.[0]?.message ?? `status ${response.status}`}`);
    }
    const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'export.csv';
    const link = document.createElement('a');
    link.href = URL.createObjectURL(await response.blob());
    link.download = name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  };

  const onTabChange = (tabs: TabsState) => {
    const tab = tabs.tabs[tabs.activeTabIndex];
    if (tab) setCurrent({ query: tab.query ?? '', variables: tab.variables ?? '' });
  };

  const fetcher = useMemo<Fetcher>(
    () => async (params) => {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
      };
      if (identity?.token) headers.authorization = `Bearer ${identity.token}`;
      if (identity?.purpose) headers['x-data-purpose'] = identity.purpose;
      const response = await fetch(config.endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify(withCurrentOperationName(params)),
      });
      const result = (await response.json()) as Record<string, unknown>;
      // Introspection runs on every identity change; only the analyst's own operations are summarised.
      if (!(params as { operationName?: string }).operationName?.startsWith('IntrospectionQuery'))
        setSummary(summarize(result));
      return result;
    },
    [identity],
  );

  return (
    <div className="hub-playground">
      <form className="hub-identity" onSubmit={(event) => void apply(event)} aria-label="Who is asking">
        <strong className="hub-title">cdo-hub playground</strong>
        {config.devTokens && (
          <label>
            Consumer (development)
            <select name="consumer" value={consumer} onChange={(e) => setConsumer(e.target.value)}>
              <option value="">— choose —</option>
              {config.consumers.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.id} — {c.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          {config.devTokens ? 'or token' : 'Token'}
          <input
            name="token"
            type="password"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            placeholder="Bearer token"
            autoComplete="off"
          />
        </label>
        <label>
          Purpose
          {config.devTokens && consumer && !token.trim() ? (
            <select name="purpose" value={purpose} onChange={(e) => setPurpose(e.target.value)}>
              {purposes.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          ) : (
            <input
              name="purpose"
              value={purpose}
              onChange={(e) => setPurpose(e.target.value)}
              placeholder="the token's purpose"
            />
          )}
        </label>
        <button type="submit">Use</button>
        <span className="hub-who" role="status">
          {identity
            ? `asking as ${identity.label}${identity.purpose ? ` for ${identity.purpose}` : ''}`
            : 'not signed in: answers show what the public may read'}
        </span>
        {problem && <span className="hub-problem">{problem}</span>}
      </form>
      {example && exampleIdentityDiffers && (
        <div className="hub-example-identity" role="note" aria-label="Written for">
          This example is written for <strong>{example.consumer}</strong>
          {example.purpose ? (
            <>
              {' '}
              asking for <strong>{example.purpose}</strong>
            </>
          ) : null}
          .{' '}
          <button type="button" onClick={askAsExample}>
            Ask as {example.consumer}
          </button>
        </div>
      )}
      {summary && !summary.ok && (
        <div className="hub-summary" role="region" aria-label="Withheld in the last answer">
          <strong>Withheld or refused in the last answer:</strong>
          <ul>
            {summary.withheld.map((w, i) => (
              <li key={i}>
                <code>{w.code}</code> {w.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="hub-graphiql">
        <GraphiQL
          fetcher={fetcher}
          defaultTabs={config.examples.map((e) => ({ query: e.query }))}
          defaultEditorToolsVisibility={false}
          onTabChange={onTabChange}
          onEditQuery={(query) => setCurrent((c) => ({ ...c, query }))}
          onEditVariables={(variables) => setCurrent((c) => ({ ...c, variables }))}
        >
          <GraphiQL.Toolbar>
            {({ prettify, merge, copy }) => (
              <>
                {prettify}
                {merge}
                {copy}
                <DownloadCsvButton download={(query, variables) => void downloadCsv(query, variables)} />
              </>
            )}
          </GraphiQL.Toolbar>
        </GraphiQL>
      </div>
    </div>
  );
}

/** In GraphiQL's toolbar: reads the editors as they are at the click (their text, not a copy kept on the side). */
function DownloadCsvButton({ download }: { download: (query: string, variables: string) => void }) {
  const queryEditor = useGraphiQL((state) => state.queryEditor);
  const variableEditor = useGraphiQL((state) => state.variableEditor);
  return (
    <ToolbarButton
      label="Download CSV"
      onClick={() => download(queryEditor?.getValue() ?? '', variableEditor?.getValue() ?? '')}
    >
      <span className="hub-csv-icon" aria-hidden="true">
        CSV
      </span>
    </ToolbarButton>
  );
}

createRoot(document.getElementById('playground')!).render(
  <StrictMode>
    <Playground />
  </StrictMode>,
);
