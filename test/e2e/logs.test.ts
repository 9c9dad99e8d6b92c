import { as, HubProcess, TEST_SECRETS } from '../harness/hubProcess';

// Structured logs across processes: one request's lines in the gateway and in each subgraph it
// reached share the gateway's request id and name the consumer and the purpose; no data value
// the response carried appears in any log line.

let hub: HubProcess;

beforeAll(async () => {
  hub = await HubProcess.start({ env: { LOG_LEVEL: 'debug' } });
});

afterAll(async () => {
  await hub?.stop();
});

const QUERY = `query DistrictOverview {
  districts(first: 3) { nodes { code name schoolCount highTechEnterpriseCount } }
}`;

it('carries request id, consumer and purpose on every line of a request, in the gateway and the subgraphs, and no data', async () => {
  const headers = await as('city-analytics', 'statistics');
  const response = await hub.query<{ districts: { nodes: { code: string; name: string }[] } }>(QUERY, {}, headers);
  expect(response.status).toBe(200);
  const requestId = response.headers.get('x-request-id')!;
  // Lines are written as the request goes; give the subgraphs' a moment to be flushed.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const lines = hub.log
    .split('\n')
    .filter((line) => line.includes(requestId))
    .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>);
  const byProcess = new Map<string, Record<string, unknown>[]>();
  for (const line of lines) byProcess.set(String(line.name), [...(byProcess.get(String(line.name)) ?? []), line]);
  // The gateway and the three agencies the query reaches.
  expect([...byProcess.keys()].sort()).toEqual(['development-reform', 'education', 'gateway', 'science']);
  for (const line of lines) expect(line).toMatchObject({ reqId: requestId, consumer: 'city-analytics', purpose: 'statistics' });
  expect(byProcess.get('gateway')!.some((line) => line.msg === 'graphql request' && line.operationName === 'DistrictOverview')).toBe(true);
  for (const agency of ['development-reform', 'education', 'science']) expect(byProcess.get(agency)!.some((line) => line.msg === 'subgraph call')).toBe(true);
  // District names are in the answer; not one is in the logs.
  const names = response.body.data!.districts.nodes.map((node) => node.name);
  expect(names.length).toBe(3);
  for (const name of names) expect(hub.log).not.toContain(name);
});

it('never logs a secret or a token', async () => {
  const headers = await as('science', 'industrial-policy');
  await hub.query('{ districts(first: 1) { totalCount } }', {}, headers);
  await hub.query('{ districts(first: 1) { totalCount } }', {}, { authorization: 'Bearer not.a.token' });
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (const secret of Object.values(TEST_SECRETS)) expect(hub.log).not.toContain(secret);
  expect(hub.log).not.toContain(headers.authorization!.slice('Bearer '.length));
  expect(hub.log).not.toContain('not.a.token');
});
