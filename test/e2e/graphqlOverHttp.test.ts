import { serverAudits } from 'graphql-http';
import { freePort } from '../harness/freePort';
import { GatewayProcess } from '../harness/gatewayProcess';
import { readOnlyHub, type ReadOnlyHub } from '../harness/sharedHub';

// GraphQL over HTTP, as the specification's own audit (the `graphql-http` package) and a client
// see it: content negotiation, methods, status codes, CSRF protection.

let hub: ReadOnlyHub;

beforeAll(async () => {
  hub = await readOnlyHub();
});

afterAll(async () => {
  await hub?.release();
});

type Body = { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };

describe('GraphQL over HTTP', () => {
  it("passes the specification's audit with no error; the only warnings are the documented status-code choice", async () => {
    const results: { id: string; name: string; status: string; reason?: string }[] = [];
    for (const audit of serverAudits({ url: hub.gatewayUrl, fetchFn: fetch })) {
      const result = await audit.fn();
      results.push({
        id: audit.id,
        name: audit.name,
        status: result.status,
        ...(result.status === 'ok' ? {} : { reason: result.reason }),
      });
    }
    const count = (status: string) => results.filter((r) => r.status === status).length;
    expect(results.filter((r) => r.status === 'error')).toEqual([]);
    // 400 (not 200) for parse, validation and variable errors answered as application/json: see the README.
    expect(
      results
        .filter((r) => r.status === 'warn')
        .map((r) => r.id)
        .sort(),
    ).toEqual(['572B', '7B9B', 'FDE2']);
    expect(count('ok')).toBeGreaterThanOrEqual(55);
  });

  it('answers in application/graphql-response+json when asked, with 4xx for request errors', async () => {
    const response = await fetch(hub.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{ districts(first: 1) { totalCount } ' }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/graphql-response+json; charset=utf-8');
    expect(((await response.json()) as Body).errors![0]!.extensions!.code).toBe('GRAPHQL_PARSE_FAILED');
    const ok = await fetch(hub.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{ districts(first: 1) { totalCount } }' }),
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/graphql-response+json; charset=utf-8');
  });

  it('serves queries over GET (with a CSRF-safe header), never mutations', async () => {
    const query = encodeURIComponent('{ districts(first: 1) { totalCount } }');
    const get = await fetch(`${hub.gatewayUrl}?query=${query}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(get.status).toBe(200);
    expect(((await get.json()) as Body).data).toEqual({ districts: { totalCount: expect.any(Number) } });
    const mutation = encodeURIComponent('mutation { __typename }');
    const refused = await fetch(`${hub.gatewayUrl}?query=${mutation}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(refused.status).toBe(405);
    expect(refused.headers.get('allow')).toBe('POST');
    expect(((await refused.json()) as Body).errors![0]!.extensions!.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('keeps CSRF protection on: a GET a browser could send cross-site without preflight is refused', async () => {
    const query = encodeURIComponent('{ districts(first: 1) { totalCount } }');
    const response = await fetch(`${hub.gatewayUrl}?query=${query}`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as Body;
    expect(body.errors![0]).toMatchObject({
      message: expect.stringContaining('Cross-Site Request Forgery'),
      extensions: { code: 'BAD_REQUEST' },
    });
    expect(body.data).toBeUndefined();
  });

  it('refuses other methods with 405 and an Allow header, and an unanswerable Accept with 406', async () => {
    const put = await fetch(hub.gatewayUrl, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
    expect(((await put.json()) as Body).errors![0]!.extensions!.code).toBe('METHOD_NOT_ALLOWED');
    const png = await fetch(hub.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'image/png' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(png.status).toBe(406);
    expect(((await png.json()) as Body).errors![0]!.extensions!.code).toBe('NOT_ACCEPTABLE');
  });

  it('answers malformed JSON, wrong content types and wrong shapes with 4xx and a catalogued code', async () => {
    const cases: [string, string, number, string][] = [
      ['application/json', '{"query": ', 400, 'BAD_REQUEST'],
      ['text/plain', '{ __typename }', 400, 'BAD_REQUEST'],
      ['application/xml', '<query/>', 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['application/json', '{"query": 42}', 400, 'BAD_REQUEST'],
      ['application/json', '{"query": "{ __typename }", "variables": "[]"}', 400, 'BAD_REQUEST'],
      ['application/json', '[]', 400, 'BAD_REQUEST'],
      ['application/json', 'null', 400, 'BAD_REQUEST'],
    ];
    for (const [contentType, body, status, code] of cases) {
      const response = await fetch(hub.gatewayUrl, { method: 'POST', headers: { 'content-type': contentType }, body });
      const parsed = (await response.json()) as Body;
      expect({ contentType, body, status: response.status, code: parsed.errors?.[0]?.extensions?.code }).toEqual({
        contentType,
        body,
        status,
        code,
      });
    }
  });
});

describe('CORS', () => {
  it('sends no CORS headers by default: browsers refuse cross-origin calls', async () => {
    const preflight = await fetch(hub.gatewayUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.org', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows exactly the origins listed in CORS_ORIGINS', async () => {
    const gateway = await GatewayProcess.start([], await freePort(), { CORS_ORIGINS: 'https://app.example.org' });
    try {
      const preflight = await fetch(gateway.url, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://app.example.org',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type, x-data-purpose',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.org');
      expect(preflight.headers.get('access-control-allow-headers')).toContain('x-data-purpose');
      const other = await fetch(gateway.url, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example.net', 'access-control-request-method': 'POST' },
      });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      const call = await fetch(gateway.url, {
        method: 'POST',
        headers: { origin: 'https://app.example.org', 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(call.headers.get('access-control-allow-origin')).toBe('https://app.example.org');
      expect(call.headers.get('access-control-expose-headers')).toContain('x-request-id');
      // The answer depends on the Origin (its CORS headers): shared caches must key by it.
      expect(call.headers.get('vary')).toMatch(/\bOrigin\b/);
    } finally {
      await gateway.stop();
    }
  });
});
