import type { AgencyProcess } from '../harness/agencyProcess';
import type { GatewayProcess } from '../harness/gatewayProcess';
import { SplitHub } from '../harness/splitHub';
import { as, asOperator, gatewayMetrics, type GraphQLResponse } from '../harness/hubProcess';
import { until } from '../harness/until';

// Agency subgraphs failing under load: the gateway keeps answering 200 with the other agencies'
// data and errors naming the missing agency, never a failed request. A subgraph killed with
// SIGKILL opens its circuit (seen on /readyz and /metrics) and closes it once restarted on the
// same port; a frozen one (SIGSTOP: connections accepted, no answer) costs each request no more
// than that subgraph's own deadline.

const SCIENCE_TIMEOUT_MS = 800;
const CLIENTS = 4;

/** Districts (development-reform) with counts from education and science, and schools (education). */
const QUERY = `query DistrictOverview {
  districts(first: 3) { nodes { code name schoolCount highTechEnterpriseCount } }
  schools(first: 2) { nodes { code name } }
}`;

interface Answer {
  status: number;
  body: GraphQLResponse['body'];
  milliseconds: number;
}

let hub: SplitHub;
let subgraphs: Record<string, AgencyProcess>;
let gateway: GatewayProcess;
let headers: Record<string, string>;

beforeAll(async () => {
  hub = await SplitHub.start({
    CACHE: 'off', // every request reaches the subgraphs
    SUBGRAPH_TIMEOUT_MS: '5000',
    SUBGRAPH_TIMEOUT_MS_SCIENCE: String(SCIENCE_TIMEOUT_MS),
    SUBGRAPH_CIRCUIT_FAILURES: '3',
    SUBGRAPH_CIRCUIT_COOL_DOWN_MS: '1000',
    READINESS_TIMEOUT_MS: '500',
  });
  ({ subgraphs, gateway } = hub);
  headers = await as('city-analytics', 'statistics');
}, 120_000);

afterAll(async () => {
  await hub?.stop();
});

async function ask(): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: QUERY }),
  });
  const body = (await response.json()) as GraphQLResponse['body'];
  return { status: response.status, body, milliseconds: performance.now() - started };
}

/** `CLIENTS` clients asking in a loop until `stop()`; resolves every answer. */
function load(): { answers: Answer[]; stop: () => Promise<Answer[]> } {
  const answers: Answer[] = [];
  let running = true;
  const clients = Array.from({ length: CLIENTS }, async () => {
    while (running) answers.push(await ask());
  });
  return {
    answers,
    stop: async () => {
      running = false;
      await Promise.all(clients);
      return answers;
    },
  };
}

async function readyz(): Promise<{
  status: number;
  body: { status: string; ready: boolean; subgraphs: Record<string, any>[] };
}> {
  const response = await fetch(gateway.url.replace('/graphql', '/readyz'), { headers: await asOperator() });
  return { status: response.status, body: (await response.json()) as any };
}

async function metric(name: string, labels: string): Promise<number> {
  const text = await gatewayMetrics(gateway.url);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

const science = async () => (await readyz()).body.subgraphs.find((s) => s.name === 'science')!;
const isFull = (answer: Answer) =>
  answer.status === 200 && !answer.body.errors && answer.body.data?.districts.nodes[0].highTechEnterpriseCount !== null;

/** The other agencies' data is there; every error is science's SUBGRAPH_UNAVAILABLE (or none). */
function expectPartialOrFull(answer: Answer): void {
  expect(answer.status).toBe(200);
  const { data, errors } = answer.body;
  expect(data!.schools.nodes).toHaveLength(2);
  expect(data!.districts.nodes).toHaveLength(3);
  for (const district of data!.districts.nodes) {
    expect(district.name).toEqual(expect.any(String));
    expect(district.schoolCount).toBeGreaterThanOrEqual(0);
  }
  for (const error of errors ?? [])
    expect(error.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', agency: 'science' });
}

it('answers in full while every agency is up, and is ready', async () => {
  const answer = await ask();
  expect(answer.body.errors).toBeUndefined();
  expect(isFull(answer)).toBe(true);
  const { status, body } = await readyz();
  expect(status).toBe(200);
  expect(body.status).toBe('ready');
  expect(body.subgraphs.map((s) => [s.name, s.reachable, s.circuit]).sort()).toEqual([
    ['development-reform', true, 'closed'],
    ['education', true, 'closed'],
    ['science', true, 'closed'],
  ]);
  expect(await metric('cdo_hub_subgraph_circuit_state', 'subgraph="science",state="closed"')).toBe(1);
});

it('keeps answering 200 with the other agencies’ data when a subgraph is killed mid-load, opens its circuit, and closes it once the subgraph is back', async () => {
  const running = load();
  await until(async () => running.answers.filter(isFull).length >= CLIENTS * 3, 10_000);
  await subgraphs.science!.kill();
  const killedAfter = running.answers.length;
  // The circuit opens after 3 failed calls in a row: /readyz and /metrics show it.
  await until(async () => (await science()).circuit === 'open', 10_000);
  await until(
    async () => (await metric('cdo_hub_subgraph_circuit_state', 'subgraph="science",state="open"')) === 1,
    5000,
  );
  const whileOpen = running.answers.length;
  await until(async () => running.answers.length >= whileOpen + CLIENTS * 5, 10_000);
  const answers = await running.stop();
  console.log(
    `science killed under load: ${answers.length} answers (${killedAfter} before the kill, ${answers.length - whileOpen} after the circuit opened), ${answers.filter(isFull).length} full`,
  );

  for (const answer of answers) expectPartialOrFull(answer);
  expect(answers.filter((a) => a.status >= 500)).toEqual([]);
  const afterKill = answers.slice(killedAfter);
  expect(afterKill.length).toBeGreaterThan(0);
  const reasons = new Set(afterKill.flatMap((a) => (a.body.errors ?? []).map((e) => e.extensions?.reason)));
  expect(reasons).toContain('unreachable');
  expect(reasons).toContain('circuit-open');
  // The answers after the circuit opened name science and hold null for its counts only.
  for (const answer of answers.slice(whileOpen)) {
    expect(answer.body.errors?.length).toBeGreaterThan(0);
    expect(
      answer.body.data!.districts.nodes.every(
        (d: { highTechEnterpriseCount: unknown }) => d.highTechEnterpriseCount === null,
      ),
    ).toBe(true);
  }

  const { status, body } = await readyz();
  expect(status).toBe(200);
  expect(body).toMatchObject({ status: 'degraded', ready: true });
  const state = body.subgraphs.find((s) => s.name === 'science')!;
  expect(state).toMatchObject({ reachable: false, circuit: 'open', openedAt: expect.any(String) });
  expect(state.recentFailures.map((f: { reason: string }) => f.reason)).toContain('unreachable');
  expect(await metric('cdo_hub_subgraph_errors_total', 'subgraph="science",reason="circuit-open"')).toBeGreaterThan(0);
  expect(await metric('cdo_hub_subgraph_errors_total', 'subgraph="science",reason="unreachable"')).toBeGreaterThan(0);
  expect(
    await metric('cdo_hub_consumer_requests_total', 'consumer="city-analytics",outcome="partial"'),
  ).toBeGreaterThan(0);
  expect(await metric('cdo_hub_consumer_requests_total', 'consumer="city-analytics",outcome="ok"')).toBeGreaterThan(0);

  // Back on the same port: after the cool-down one trial call closes the circuit, full answers return.
  await subgraphs.science!.restart();
  await until(async () => isFull(await ask()), 10_000, 200);
  expect(await science()).toMatchObject({ reachable: true, circuit: 'closed', consecutiveFailures: 0 });
  expect((await readyz()).body.status).toBe('ready');
  expect(await metric('cdo_hub_subgraph_circuit_state', 'subgraph="science",state="closed"')).toBe(1);
  expect(
    await metric('cdo_hub_subgraph_circuit_transitions_total', 'subgraph="science",state="half-open"'),
  ).toBeGreaterThan(0);
}, 120_000);

it('answers within the frozen subgraph’s own deadline, with reason timeout and the other agencies’ data, and recovers when it thaws', async () => {
  subgraphs.science!.signal('SIGSTOP');
  try {
    const running = load();
    await until(async () => running.answers.length >= CLIENTS * 4, 20_000);
    const answers = await running.stop();
    console.log(
      `science frozen under load: ${answers.length} answers, slowest ${Math.round(Math.max(...answers.map((a) => a.milliseconds)))} ms`,
    );
    for (const answer of answers) {
      expectPartialOrFull(answer);
      // Science's deadline (800 ms), not the default 5 s, plus room for a busy machine.
      expect(answer.milliseconds).toBeLessThan(SCIENCE_TIMEOUT_MS + 1500);
      expect(answer.body.errors?.length).toBeGreaterThan(0);
    }
    const reasons = answers.flatMap((a) => (a.body.errors ?? []).map((e) => e.extensions?.reason));
    expect(reasons).toContain('timeout');
    expect(new Set(reasons)).toEqual(new Set(['timeout', 'circuit-open']));
    expect(await metric('cdo_hub_subgraph_errors_total', 'subgraph="science",reason="timeout"')).toBeGreaterThan(0);
  } finally {
    subgraphs.science!.signal('SIGCONT');
  }
  await until(async () => isFull(await ask()), 10_000, 200);
  expect(await science()).toMatchObject({ circuit: 'closed' });
}, 120_000);
