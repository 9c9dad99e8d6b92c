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
 * schema.
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

function Playground() {
  const firstExample = config.examples[0];
  const [consumer, setConsumer] = useState(firstExample?.consumer ?? config.consumers[0]?.id ?? '');
  const [token, setToken] = useState('');
  const [purpose, setPurpose] = useState(firstExample?.purpose ?? '');
  const [identity, setIdentity] = useState<Identity | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const [summary, setSummary] = useState<Summary | undefined>();
  const purposes = config.consumers.find((c) => c.id === consumer)?.purposes ?? [];

  const apply = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(undefined);
    let bearer = token.trim();
    let label = 'token';
    if (config.devTokens && !bearer) {
      const response = await fetch(`${config.devTokenUrl}?consumer=${encodeURIComponent(consumer)}`);
      const body = (await response.json()) as { token?: string; error?: string };
      if (!body.token) return setProblem(body.error ?? 'no development token');
      bearer = body.token;
      label = consumer;
    }
    setSummary(undefined);
    setIdentity({ token: bearer, purpose: purpose.trim(), label });
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
          <input
            name="purpose"
            list="hub-purposes"
            value={purpose}
            onChange={(e) => setPurpose(e.target.value)}
            placeholder="e.g. planning"
          />
          <datalist id="hub-purposes">
            {purposes.map((p) => (
              <option key={p} value={p} />
            ))}
          </datalist>
        </label>
        <button type="submit">Use</button>
        <span className="hub-who" role="status">
          {identity
            ? `asking as ${identity.label}${identity.purpose ? ` for ${identity.purpose}` : ''}`
            : 'not signed in: answers show what the public may read'}
        </span>
        {problem && <span className="hub-problem">{problem}</span>}
      </form>
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
        />
      </div>
    </div>
  );
}

createRoot(document.getElementById('playground')!).render(
  <StrictMode>
    <Playground />
  </StrictMode>,
);
