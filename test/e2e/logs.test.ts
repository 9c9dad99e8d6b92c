import { as, HubProcess, TEST_SECRETS } from '../harness/hubProcess';
import { until } from '../harness/until';

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

/** The hub's JSON log lines of one request, from every process (whole lines only: one may be arriving). */
const linesOf = (requestId: string) =>
  hub.log
    .split('\n')
    .slice(0, -1)
    .filter((line) => line.includes(requestId))
    .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>);

/** Whether a request's gateway line and a subgraph call line of it have arrived (from each agency named). */
const logged = (requestId: string, agencies: string[]) => {
  const lines = linesOf(requestId);
  return (
    lines.some((line) => line.name === 'gateway' && line.msg === 'graphql request') &&
    agencies.every((agency) => lines.some((line) => line.name === agency && line.msg === 'subgraph call'))
  );
};

const QUERY = `query DistrictOverview {
  districts(first: 3) { nodes { code name schoolCount highTechEnterpriseCount } }
}`;

it('carries request id, consumer and purpose on every line of a request, in the gateway and the subgraphs, and no data', async () => {
  const headers = await as('city-analytics', 'statistics');
  const response = await hub.query<{ districts: { nodes: { code: string; name: string }[] } }>(QUERY, {}, headers);
  expect(response.status).toBe(200);
  const requestId = response.headers.get('x-request-id')!;
  // Lines reach the hub's output from four processes, after the answer: wait for the ones checked.
  await until(() => logged(requestId, ['development-reform', 'education', 'science']), 15_000, 50, {
    what: `the log lines of request ${requestId}`,
  });
  const lines = linesOf(requestId);
  const byProcess = new Map<string, Record<string, unknown>[]>();
  for (const line of lines) byProcess.set(String(line.name), [...(byProcess.get(String(line.name)) ?? []), line]);
  // The gateway and the three agencies the query reaches.
  expect([...byProcess.keys()].sort()).toEqual(['development-reform', 'education', 'gateway', 'science']);
  for (const line of lines)
    expect(line).toMatchObject({ reqId: requestId, consumer: 'city-analytics', purpose: 'statistics' });
  expect(
    byProcess
      .get('gateway')!
      .some((line) => line.msg === 'graphql request' && line.operationName === 'DistrictOverview'),
  ).toBe(true);
  for (const agency of ['development-reform', 'education', 'science'])
    expect(byProcess.get(agency)!.some((line) => line.msg === 'subgraph call')).toBe(true);
  // District names are in the answer; not one is in the logs.
  const names = response.body.data!.districts.nodes.map((node) => node.name);
  expect(names.length).toBe(3);
  for (const name of names) expect(hub.log).not.toContain(name);
});

it('never logs a secret or a token', async () => {
  const headers = await as('science', 'industrial-policy');
  await hub.query('{ districts(first: 1) { totalCount } }', {}, headers);
  await hub.query('{ districts(first: 1) { totalCount } }', {}, { authorization: 'Bearer not.a.token' });
  // A third request after them: once its lines are in, the two before it have been written too
  // (each process writes its lines in order, and it reaches the same subgraph as the first).
  const last = await hub.query('query LogsWritten { districts(first: 2) { totalCount } }', {}, headers);
  const lastId = last.headers.get('x-request-id')!;
  await until(() => logged(lastId, []) && linesOf(lastId).some((line) => line.msg === 'subgraph call'), 15_000, 50, {
    what: `the log lines of request ${lastId}`,
  });
  for (const secret of Object.values(TEST_SECRETS)) expect(hub.log).not.toContain(secret);
  expect(hub.log).not.toContain(headers.authorization!.slice('Bearer '.length));
  expect(hub.log).not.toContain('not.a.token');
});
