import { startInProcessHub, type InProcessHub } from './gatewayHarness';

// requestLog.ts: one `graphql request` line per operation, on the request's own id, naming the
// consumer and purpose, and no data value; the gateway's request id on every answer, never the
// client's.

let hub: InProcessHub;

beforeAll(async () => {
  hub = await startInProcessHub();
});

afterAll(async () => {
  await hub?.stop();
});

it('logs one line per operation with its name, duration, error count and supergraph, and no data', async () => {
  const headers = { ...(await hub.as('city-analytics', 'statistics')), 'x-request-id': 'client-chosen-id' };
  const answer = await hub.query<{ districts: { nodes: { name: string }[] } }>(
    'query LoggedDistricts { districts(first: 2) { nodes { name } } }',
    {},
    headers,
  );
  expect(answer.status).toBe(200);
  const requestId = answer.headers['x-request-id'];
  expect(requestId).not.toBe('client-chosen-id');
  const lines = hub.logs.filter((line) => line.reqId === requestId);
  const logged = lines.filter((line) => line.msg === 'graphql request');
  expect(logged).toEqual([
    expect.objectContaining({
      operationName: 'LoggedDistricts',
      consumer: 'city-analytics',
      purpose: 'statistics',
      errors: 0,
      durationMs: expect.any(Number),
      supergraph: expect.any(String),
    }),
  ]);
  const names = answer.body.data!.districts.nodes.map((node) => node.name);
  expect(names.length).toBe(2);
  for (const name of names) expect(JSON.stringify(lines)).not.toContain(name);
});

it('counts the request per consumer in the metrics', async () => {
  await hub.query('{ __typename }', {}, await hub.as('science', 'industrial-policy'));
  const metrics = await hub.inject({
    method: 'GET',
    url: '/metrics',
    headers: await hub.as('hub-operations', undefined, ['hub-operator']),
  });
  expect(metrics.statusCode).toBe(200);
  expect(metrics.body).toMatch(/consumer="science"/);
});
