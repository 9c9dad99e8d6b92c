import { CONSUMER_HEADER, SIGNATURE_HEADER, signedSubgraphHeaders } from '@cdo-hub/gateway/signing';
import { as, asOperator, TEST_SECRETS } from '../harness/hubProcess';
import { readOnlyHub, type ReadOnlyHub } from '../harness/sharedHub';

// The agencies' subgraphs as anyone on the network would reach them: straight to their ports,
// around the gateway. Only calls signed with the hub's key — fresh, and each sent once — are
// answered; `/healthz` stays open, and the gateway's own path answers as before.

let hub: ReadOnlyHub;
const key = TEST_SECRETS.HUB_SUBGRAPH_SIGNING_KEY;
const query = '{ schools(first: 2) { nodes { code name } } }';

beforeAll(async () => {
  hub = await readOnlyHub();
});

afterAll(async () => {
  await hub?.release();
});

const subgraphUrl = (agency: string) => `http://127.0.0.1:${hub.ports[agency]}/graphql`;

async function direct(headers: Record<string, string>, body: object = { query }, agency = 'education') {
  const response = await fetch(subgraphUrl(agency), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as {
      data?: any;
      errors?: { message: string; extensions?: Record<string, unknown> }[];
    },
  };
}

function refusedWith(
  answer: { status: number; body: { data?: unknown; errors?: { extensions?: Record<string, unknown> }[] } },
  reason: string,
): void {
  expect(answer.status).toBe(401);
  expect(answer.body.data).toBeUndefined();
  expect(answer.body.errors).toEqual([
    { message: expect.any(String), extensions: { code: 'SUBGRAPH_CALL_REFUSED', reason } },
  ]);
}

it('refuses an unsigned call on every agency, POST and GET, before it runs', async () => {
  for (const agency of ['education', 'development-reform', 'science'])
    refusedWith(await direct({}, { query: '{ __typename }' }, agency), 'missing');
  const get = await fetch(`${subgraphUrl('education')}?query=${encodeURIComponent(query)}`, {
    headers: { 'apollo-require-preflight': 'true' },
  });
  expect(get.status).toBe(401);
  expect((await get.json()).errors[0].extensions).toEqual({ code: 'SUBGRAPH_CALL_REFUSED', reason: 'missing' });
  // Not even the schema: `_service { sdl }` is refused too.
  refusedWith(await direct({}, { query: '{ _service { sdl } }' }), 'missing');
});

it('refuses a signature made with another key, for another operation, or for another agency', async () => {
  refusedWith(
    await direct(signedSubgraphHeaders('not-the-hub-key-not-the-hub-key-0123', 'education', { query })),
    'bad-signature',
  );
  refusedWith(await direct(signedSubgraphHeaders(key, 'education', { query: '{ __typename }' })), 'bad-signature');
  refusedWith(await direct({ [SIGNATURE_HEADER]: 't=1,v1=old-format' }), 'malformed');
  // Signed by the hub for another agency: a call captured on its way to science is no good at education.
  refusedWith(await direct(signedSubgraphHeaders(key, 'science', { query })), 'bad-signature');
});

it('answers a signed call once; the same call captured and sent again is refused as replayed', async () => {
  const headers = signedSubgraphHeaders(
    key,
    'education',
    { query },
    { consumer: 'education', agency: 'education', requestId: 'protection-e2e' },
  );
  const first = await direct(headers);
  expect(first.status).toBe(200);
  expect(first.body.errors).toBeUndefined();
  expect(first.body.data.schools.nodes).toHaveLength(2);
  refusedWith(await direct(headers), 'replayed');
  // Another signature for the same operation is a new call.
  expect((await direct(signedSubgraphHeaders(key, 'education', { query }))).status).toBe(200);
  // Edited claims under the captured signature: not the hub's.
  const edited = Buffer.from(
    JSON.stringify({ consumer: 'education', agency: 'development-reform', requestId: 'protection-e2e' }),
  ).toString('base64url');
  refusedWith(
    await direct({
      ...signedSubgraphHeaders(key, 'education', { query }, { consumer: 'education', requestId: 'x' }),
      [CONSUMER_HEADER]: edited,
    }),
    'bad-signature',
  );
});

it('refuses a signature older than its window (30 s)', async () => {
  refusedWith(
    await direct(signedSubgraphHeaders(key, 'education', { query }, undefined, { now: Date.now() - 31_000 })),
    'stale',
  );
  refusedWith(
    await direct(signedSubgraphHeaders(key, 'education', { query }, undefined, { now: Date.now() + 60_000 })),
    'stale',
  );
});

it('keeps /healthz open', async () => {
  const health = await fetch(`http://127.0.0.1:${hub.ports.education}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ status: 'ok', agency: 'education' });
});

it('logs refusals with their reason, not the call', async () => {
  // Wait for the very line this test is about: log lines from a loaded machine may trail the answers.
  await hub.waitForOutput(
    /subgraph call refused[^\n]*"reason":"replayed"|"reason":"replayed"[^\n]*subgraph call refused/,
    20_000,
  );
  const refusals = hub.log.split('\n').filter((line) => line.includes('subgraph call refused'));
  expect(refusals.some((line) => line.includes('"reason":"replayed"'))).toBe(true);
  for (const line of refusals) expect(line).not.toMatch(/schools|x-hub-/);
});

it('the gateway path answers as before: anonymous open data and a consumer with grants, readiness too', async () => {
  const anonymous = await hub.query('{ districts(first: 2) { totalCount nodes { code } } }');
  expect(anonymous.status).toBe(200);
  expect(anonymous.body.errors).toBeUndefined();
  expect(anonymous.body.data!.districts.nodes).toHaveLength(2);
  const consumer = await hub.query(query, {}, await as('district-haidian', 'enrollment-planning'));
  expect(consumer.status).toBe(200);
  expect(consumer.body.data!.schools.nodes).toHaveLength(2);
  expect(consumer.body.errors ?? []).not.toContainEqual(
    expect.objectContaining({ extensions: expect.objectContaining({ code: 'SUBGRAPH_CALL_REFUSED' }) }),
  );
  const ready = await fetch(hub.gatewayUrl.replace('/graphql', '/readyz'), { headers: await asOperator() });
  expect(ready.status).toBe(200);
  expect((await ready.json()).subgraphs.every((probe: { reachable: boolean }) => probe.reachable)).toBe(true);
});
