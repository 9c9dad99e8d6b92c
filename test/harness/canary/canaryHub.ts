import { DEFAULT_SUPERGRAPH_FILE, loadSupergraphFile } from '@cdo-hub/gateway';
import { repoRoot } from '@cdo-hub/subgraph-kit';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GraphQLSchema } from 'graphql';
import { as, HubProcess } from '../hubProcess';
import { CanaryOracle, type Finding } from './canaryOracle';
import { PolicyViews, shippedPolicyFiles, type View } from './policyViews';
import { checkInternalKeysKept, seedSmallDatasets, writeCanaries, type CanaryRegistry } from './seedCanaries';

export interface Exchange {
  status: number;
  headers: Headers;
  bodyText: string;
  body:
    | {
        data?: Record<string, any> | null;
        errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
      }
    | undefined;
  findings: Finding[];
}

/**
 * The whole hub (`hub start`) on the small dataset with every protected column overwritten by
 * canaries, and the oracle that judges every response a view receives through it. Findings
 * accumulate in `findings`; each exchange also returns its own.
 */
export class CanaryHub {
  readonly findings: Finding[] = [];
  /** Responses received, per kind and status (`graphql POST 200`, `route 404`…), and per `x-cache` result (`x-cache HIT`…). */
  readonly responses = new Map<string, number>();
  private readonly headerCache = new Map<string, Record<string, string>>();

  private constructor(
    readonly hub: HubProcess,
    readonly canaries: CanaryRegistry,
    readonly policy: PolicyViews,
    readonly schema: GraphQLSchema,
    readonly oracle: CanaryOracle,
    private readonly dataDir: string,
  ) {}

  /**
   * Seeds, writes the canaries, starts the hub on them; `env` reaches the gateway and the subgraphs.
   * `policyDir` runs the hub, and the oracle, on other policy files than the shipped ones.
   */
  static async start(options: { env?: NodeJS.ProcessEnv; policyDir?: string } = {}): Promise<CanaryHub> {
    const dataDir = mkdtempSync(join(tmpdir(), 'cdo-hub-canary-'));
    try {
      await seedSmallDatasets(dataDir);
      const canaries = writeCanaries(dataDir);
      const env = { ...options.env, ...(options.policyDir ? { POLICY_DIR: options.policyDir } : {}) };
      const hub = await HubProcess.start({ dataDir, env });
      const rewritten = checkInternalKeysKept(dataDir, canaries);
      if (rewritten.length) {
        await hub.stop();
        throw new Error(`the canary harness cannot see internal row keys: ${rewritten.join('; ')}`);
      }
      const shipped = shippedPolicyFiles(repoRoot());
      const policy = new PolicyViews(options.policyDir ? { ...shipped, policyDir: options.policyDir } : shipped);
      const schema = loadSupergraphFile(DEFAULT_SUPERGRAPH_FILE).apiSchema;
      return new CanaryHub(hub, canaries, policy, schema, new CanaryOracle(canaries, policy, schema), dataDir);
    } catch (error) {
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  get views(): View[] {
    return this.policy.views;
  }

  get origin(): string {
    return new URL(this.hub.gatewayUrl).origin;
  }

  /** The headers a view sends: a token naming the consumer, the purpose header (none for the public) and its case. */
  async headersFor(view: View): Promise<Record<string, string>> {
    let headers = this.headerCache.get(view.id);
    if (!headers)
      this.headerCache.set(
        view.id,
        (headers = {
          ...(view.isPublic ? {} : await as(view.consumer, view.purpose)),
          ...(view.caseId !== undefined ? { 'x-case-id': view.caseId } : {}),
        }),
      );
    return headers;
  }

  /** A GraphQL request as `view` (POST, GET with the CSRF-safe header, or POST asking for CSV), judged by the oracle. */
  async graphql(
    view: View,
    query: string,
    variables: Record<string, unknown> = {},
    method: 'POST' | 'GET' | 'CSV' = 'POST',
  ): Promise<Exchange> {
    const headers = await this.headersFor(view);
    const url = new URL(this.hub.gatewayUrl);
    let init: RequestInit;
    if (method === 'GET') {
      url.searchParams.set('query', query);
      if (Object.keys(variables).length) url.searchParams.set('variables', JSON.stringify(variables));
      init = { method, headers: { ...headers, 'apollo-require-preflight': 'true' } };
    } else {
      init = {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          ...(method === 'CSV' ? { accept: 'text/csv' } : {}),
        },
        body: JSON.stringify({ query, variables }),
      };
    }
    const label = `${method} /graphql as ${view.id}: ${squash(query)}${Object.keys(variables).length ? ` variables ${JSON.stringify(variables)}` : ''}`;
    return this.exchange(view, url, init, label, `graphql ${method}`, query);
  }

  /** Any other route the gateway serves (`/catalog.json`, `/metrics`…), as `view`, judged by the oracle. */
  async route(view: View, path: string, init: RequestInit = {}): Promise<Exchange> {
    const headers = await this.headersFor(view);
    return this.exchange(
      view,
      new URL(path, this.origin),
      { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } },
      `${init.method ?? 'GET'} ${path} as ${view.id}`,
      'route',
    );
  }

  /** The hub's own output (gateway and subgraph logs): no view may read a canary there. */
  get log(): string {
    return this.hub.log;
  }

  get auditDir(): string {
    return join(this.dataDir, 'audit');
  }

  async stop(): Promise<void> {
    await this.hub.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async exchange(
    view: View,
    url: URL,
    init: RequestInit,
    label: string,
    kind: string,
    query?: string,
  ): Promise<Exchange> {
    // CSV through node:http, which reads trailers (a paged export's receipt, disputes and ending come last).
    const response =
      kind === 'graphql CSV' ? await withTrailers(url, init) : await fetch(url, { ...init, redirect: 'manual' });
    const count = (key: string) => this.responses.set(key, (this.responses.get(key) ?? 0) + 1);
    count(`${kind} ${response.status}`);
    // Whether the answer scanned was a cached one.
    if (response.headers.has('x-cache')) count(`x-cache ${response.headers.get('x-cache')}`);
    // Signed receipts are scanned with every header (their payload decoded); counted so a walk shows it saw them.
    const receipt = response.headers.get('x-hub-receipt') ?? response.headers.get('trailer.x-hub-receipt');
    if (receipt) {
      count(`receipt ${kind}`);
      // A receipt speaks of its asker only: never another department's name, purpose or grants.
      const claims = JSON.parse(Buffer.from(receipt.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
        consumer?: string;
        purpose?: string | null;
      };
      const asker = view.isPublic ? 'public' : view.consumer;
      if (claims.consumer !== asker || (claims.purpose ?? undefined) !== view.purpose)
        this.findings.push({
          view: view.id,
          channel: 'receipt',
          coordinate: '-',
          agency: '-',
          canary: `a receipt naming ${claims.consumer}/${claims.purpose}`,
        } as Finding);
    }
    const bodyText = await response.text();
    const received = { status: response.status, statusText: response.statusText, headers: response.headers, bodyText };
    const findings = this.oracle.inspectResponse(
      view,
      label,
      received,
      query === undefined ? undefined : { document: query },
    );
    this.findings.push(...findings);
    let body: Exchange['body'];
    try {
      body = JSON.parse(bodyText) as Exchange['body'];
    } catch {
      body = undefined;
    }
    return { status: response.status, headers: response.headers, bodyText, body, findings };
  }
}

/**
 * A fetch-like answer read with node:http: its trailers join its headers as `trailer.<name>`, so
 * the oracle scans them like any header.
 */
function withTrailers(
  url: URL,
  init: RequestInit,
): Promise<Pick<Response, 'status' | 'statusText' | 'headers' | 'text'>> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: init.method ?? 'GET', headers: { ...(init.headers as Record<string, string>), te: 'trailers' } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(response.headers))
            if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
          for (const [name, value] of Object.entries(response.trailers))
            if (value !== undefined) headers.set(`trailer.${name}`, value);
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            statusText: response.statusMessage ?? '',
            headers,
            text: async () => text,
          });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(typeof init.body === 'string' ? init.body : undefined);
  });
}

function squash(query: string): string {
  const flat = query.replace(/\s+/g, ' ').trim();
  return flat.length <= 400 ? flat : `${flat.slice(0, 400)}… (${flat.length} chars)`;
}
