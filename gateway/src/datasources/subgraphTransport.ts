import type { Fetcher, FetcherHeaders, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';
import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { rootCertificates } from 'node:tls';
import { Agent, request, type Dispatcher } from 'undici';

/**
 * The gateway's transport to the agencies' subgraphs: undici's HTTP/1.1 client over keep-alive
 * connections, in place of `RemoteGraphQLDataSource`'s default (make-fetch-happen over
 * minipass-fetch and @npmcli/agent). Under the cross-agency load that stack was about a fifth of
 * the gateway's busy time — a fetch `Request` and its headers built per call, and an agent that
 * captures a stack trace on every call to learn whether the endpoint is HTTPS
 * (`scripts/bench/PROFILE.md`).
 *
 * What the default gave and this keeps: keep-alive connections without a cap per origin, a deadline
 * per call (the whole call, headers and body: a `TimeoutError`, which the faults classify as
 * `timeout`), and never a retry (ADR 0006): undici's `request` sends a call once; only its
 * RetryAgent would send it again, and it is not used.
 */
export function keepAliveFetcher(timeoutMs: number, dispatcher: Dispatcher = new Agent()): Fetcher {
  return async (url: string, init: FetcherRequestInit = {}): Promise<FetcherResponse> => {
    const answer = await request(url, {
      method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
      ...(init.headers ? { headers: init.headers } : {}),
      ...(init.body !== undefined ? { body: init.body } : {}),
      signal: AbortSignal.timeout(timeoutMs),
      dispatcher,
    });
    return new SubgraphAnswer(url, answer);
  };
}

/**
 * The gateway's connections to the agencies: one keep-alive pool shared by every supergraph it
 * serves. For `https://` subgraph URLs it trusts Node's certificate authorities plus those of
 * `SUBGRAPH_CA_FILE` (an agency's own CA), and checks each agency's certificate and name as usual.
 */
export function subgraphTransport(caFile?: string): Dispatcher {
  if (!caFile) return new Agent();
  return new Agent({ connect: { ca: [...rootCertificates, readFileSync(caFile, 'utf8')] } });
}

/** The part of a fetch `Response` that `RemoteGraphQLDataSource` reads: status, headers, the body once. */
class SubgraphAnswer implements FetcherResponse {
  readonly redirected = false;
  readonly status: number;
  readonly ok: boolean;
  readonly statusText: string;
  readonly headers: FetcherHeaders;
  private used = false;

  constructor(
    readonly url: string,
    private readonly answer: Dispatcher.ResponseData,
  ) {
    this.status = answer.statusCode;
    this.ok = this.status >= 200 && this.status < 300;
    this.statusText = STATUS_CODES[this.status] ?? '';
    this.headers = new AnswerHeaders(answer.headers);
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  text(): Promise<string> {
    this.used = true;
    return this.answer.body.text();
  }

  json(): Promise<unknown> {
    this.used = true;
    return this.answer.body.json();
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    this.used = true;
    return this.answer.body.arrayBuffer();
  }

  clone(): FetcherResponse {
    throw new Error('a subgraph answer is read once; it cannot be cloned');
  }
}

/** Read-only response headers by lower-case name, as undici hands them over. */
class AnswerHeaders implements FetcherHeaders {
  private readonly values_ = new Map<string, string>();

  constructor(raw: Dispatcher.ResponseData['headers']) {
    for (const [name, value] of Object.entries(raw)) {
      if (value !== undefined) this.values_.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : value);
    }
  }

  get(name: string): string | null {
    return this.values_.get(name.toLowerCase()) ?? null;
  }

  has(name: string): boolean {
    return this.values_.has(name.toLowerCase());
  }

  append(): void {
    throw new Error('response headers are read-only');
  }

  delete(): void {
    throw new Error('response headers are read-only');
  }

  set(): void {
    throw new Error('response headers are read-only');
  }

  entries(): IterableIterator<[string, string]> {
    return this.values_.entries();
  }

  keys(): IterableIterator<string> {
    return this.values_.keys();
  }

  values(): IterableIterator<string> {
    return this.values_.values();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.values_.entries();
  }
}
