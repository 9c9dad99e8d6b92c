import { Lexer, Source, TokenKind } from 'graphql';
import { request as httpRequest } from 'node:http';
import { HubProcess } from '../harness/hubProcess';

// Every request limit, hit exactly at its bound and one step past it, against the running hub.
// The limits are set low so small, real operations reach them.

const LIMITS = {
  LIMIT_DEPTH: '3',
  LIMIT_ALIASES: '2',
  LIMIT_ROOT_FIELDS: '3',
  LIMIT_FIELDS: '6',
  LIMIT_INTROSPECTION_DEPTH: '4',
  LIMIT_LIST_SIZE: '5',
  LIMIT_BATCH: '2',
  LIMIT_VARIABLES_BYTES: '40',
  LIMIT_BODY_BYTES: '4096',
  LIMIT_TOKENS: '40',
};

let hub: HubProcess;

beforeAll(async () => {
  hub = await HubProcess.start({ env: LIMITS });
});

afterAll(async () => {
  await hub?.stop();
});

type Body = { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };

async function post(
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Body; headers: Headers }> {
  const response = await fetch(hub.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Body };
}

/** Accepted: answered with data and no limit error. */
async function expectAccepted(query: string, variables: Record<string, unknown> = {}): Promise<void> {
  const response = await post({ query, variables });
  expect(response.body.errors ?? []).toEqual([]);
  expect(response.status).toBe(200);
  expect(response.body.data).toBeTruthy();
}

async function expectRefused(
  query: string,
  code: string,
  limit: number,
  actual: number,
  variables: Record<string, unknown> = {},
): Promise<void> {
  const response = await post({ query, variables });
  expect(response.status).toBe(400);
  expect(response.body.data).toBeUndefined();
  expect(response.body.errors).toEqual([{ message: expect.any(String), extensions: { code, limit, actual } }]);
}

function tokens(query: string): number {
  const lexer = new Lexer(new Source(query));
  let count = 0;
  while (lexer.advance().kind !== TokenKind.EOF) count += 1;
  return count;
}

describe('operation limits, at the bound and past it', () => {
  it('depth', async () => {
    await expectAccepted('{ districts(first: 1) { nodes { code } } }');
    await expectRefused('{ districts(first: 1) { nodes { code { deeper } } } }', 'OPERATION_TOO_DEEP', 3, 4);
  });

  it('aliases', async () => {
    await expectAccepted('{ a: districts(first: 1) { totalCount } b: districts(first: 2) { totalCount } }');
    await expectRefused(
      '{ a: districts(first: 1) { totalCount } b: districts(first: 2) { totalCount } c: districts(first: 3) { totalCount } }',
      'TOO_MANY_ALIASES',
      2,
      3,
    );
  });

  it('root fields', async () => {
    await expectAccepted('{ __typename districts(first: 1) { totalCount } district(code: "110108") { name } }');
    await expectRefused(
      '{ __typename districts(first: 1) { totalCount } district(code: "110108") { name } investmentProjects(first: 1) { totalCount } }',
      'TOO_MANY_ROOT_FIELDS',
      3,
      4,
    );
  });

  it('total fields, fragments counted where they are used', async () => {
    await expectAccepted('{ districts(first: 2) { totalCount nodes { ...D } } } fragment D on District { code name }');
    await expectRefused(
      '{ districts(first: 2) { totalCount nodes { ...D } pageInfo { hasNextPage } } } fragment D on District { code name }',
      'TOO_MANY_FIELDS',
      6,
      7,
    );
  });

  it('refuses a shape limit before validation: an invalid document past a bound gets the limit, not a validation error', async () => {
    await expectRefused('{ a: nope b: nope c: nope }', 'TOO_MANY_ALIASES', 2, 3);
  });

  it('introspection depth', async () => {
    await expectAccepted('{ __schema { types { fields { name } } } }');
    await expectRefused('{ __schema { types { fields { type { name } } } } }', 'INTROSPECTION_TOO_DEEP', 4, 5);
  });

  it('list sizes, as literals and as variables', async () => {
    await expectAccepted('{ districts(first: 5) { totalCount } }');
    await expectRefused('{ districts(first: 6) { totalCount } }', 'LIST_TOO_LONG', 5, 6);
    await expectAccepted('query($n: Int) { districts(first: $n) { totalCount } }', { n: 5 });
    await expectRefused('query($n: Int) { districts(first: $n) { totalCount } }', 'LIST_TOO_LONG', 5, 6, { n: 6 });
  });

  it('tokens, counted by the parser itself', async () => {
    const withFields = (n: number) =>
      `query Q($a: Boolean = true) { districts(first: 1) @include(if: $a) { totalCount @include(if: $a) ${'__typename '.repeat(n)}} }`;
    expect(tokens(withFields(3))).toBe(40);
    expect(tokens(withFields(4))).toBe(41);
    // Its variable is left to its default: @include decides on it (a raw-variables walk once failed here).
    await expectAccepted(withFields(3));
    const over = await post({ query: withFields(4) });
    expect(over.status).toBe(400);
    expect(over.body.errors).toEqual([
      {
        message: 'Syntax Error: Document contains more that 40 tokens. Parsing aborted.',
        locations: [expect.any(Object)],
        extensions: { code: 'GRAPHQL_PARSE_FAILED' },
      },
    ]);
  });
});

describe('request limits, at the bound and past it', () => {
  const op = { query: '{ districts(first: 1) { totalCount } }' };

  it('batch length', async () => {
    const accepted = await post([op, op]);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toHaveLength(2);
    const refused = await post([op, op, op]);
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      {
        message: 'The batch holds 3 operations; this hub accepts at most 2 in one request.',
        extensions: { code: 'BATCH_TOO_LARGE', limit: 2, actual: 3 },
      },
    ]);
  });

  it('variables size in bytes', async () => {
    const query = 'query($code: ID!) { district(code: $code) { name } }';
    const fits = { code: 'x'.repeat(29) }; // {"code":"xxx…"} is 40 bytes
    expect(Buffer.byteLength(JSON.stringify(fits))).toBe(40);
    const accepted = await post({ query, variables: fits });
    expect(accepted.status).toBe(200);
    expect(accepted.body.errors?.[0]?.extensions?.code).not.toBe('VARIABLES_TOO_LARGE');
    const refused = await post({ query, variables: { code: 'x'.repeat(30) } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      {
        message: expect.stringContaining('41 bytes'),
        extensions: { code: 'VARIABLES_TOO_LARGE', limit: 40, actual: 41 },
      },
    ]);
  });

  it('body size in bytes', async () => {
    const bodyOf = (size: number) => {
      const base = JSON.stringify({ query: `{ districts(first: 1) { totalCount } }\n#` });
      return base.slice(0, -2) + 'x'.repeat(size - base.length) + base.slice(-2);
    };
    expect(Buffer.byteLength(bodyOf(4096))).toBe(4096);
    const accepted = await post(bodyOf(4096));
    expect(accepted.status).toBe(200);
    expect(accepted.body.data).toEqual({ districts: { totalCount: expect.any(Number) } });
    const refused = await post(bodyOf(4097));
    expect(refused.status).toBe(413);
    expect(refused.body.errors![0]!.extensions).toEqual({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('headers larger than Node reads: 431 with a coded body, not a bare status line', async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        hub.gatewayUrl,
        { method: 'POST', headers: { 'content-type': 'application/json', 'x-padding': 'p'.repeat(20_000) } },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, body: text }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(op));
    });
    expect(status).toBe(431);
    expect(JSON.parse(body)).toEqual({
      errors: [{ message: expect.any(String), extensions: { code: 'HEADERS_TOO_LARGE' } }],
    });
  });

  it('the hub still answers normally after every refusal', async () => {
    await expectAccepted(op.query);
  });
});
