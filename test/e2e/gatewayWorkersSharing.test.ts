import { as, asOperator, tokenFor } from '../harness/hubProcess';
import { hubCliOk } from '../harness/hubCli';
import { until } from '../harness/until';
import { onFreshConnection, WorkersHub, type FreshAnswer } from '../harness/workersHub';

// What two workers of one gateway must agree on although each has its own memory: a cache purge
// sent to one worker reaches the other, a revoked grant stops being served by every worker
// within the bound the CDOs' guide states for every gateway (a second), and /metrics counts the
// requests of both. Each request goes on a connection of its own, so the cluster hands successive
// ones to each worker in turn; the request log line says which worker answered.

let hub: WorkersHub;

beforeAll(async () => {
  hub = await WorkersHub.start(2);
  const env = { HUB_DATA_DIR: hub.dataDir };
  const { stdout } = await hubCliOk(
    [
      'grant',
      'request',
      '--consumer',
      'city-analytics',
      '--fields',
      'School.teachers,Teacher.name,Teacher.subject',
      '--purpose',
      'statistics',
      '--reason',
      'workers test',
      '--until',
      '2027-12-31',
    ],
    env,
  );
  await hubCliOk(['grant', 'approve', stdout.match(/REQ-\d{4}-\d{4}/)![0], '--by', 'test CDO'], env);
}, 180_000);

afterAll(async () => {
  await hub?.stop();
});

/** The worker that served an answer, from its request log line. */
async function workerOf(answer: FreshAnswer): Promise<number> {
  const id = String(answer.headers['x-request-id']);
  let worker: number | undefined;
  await until(() => (worker = hub.workerOf(id)) !== undefined, 5000, 20, { what: `the log line of ${id}` });
  return worker!;
}

/** Asks on fresh connections until each worker has answered once; resolves each worker's answer. */
async function fromEachWorker(headers: Record<string, string>, query: string): Promise<Map<number, FreshAnswer>> {
  const answers = new Map<number, FreshAnswer>();
  for (let i = 0; answers.size < 2 && i < 10; i++) {
    const answer = await onFreshConnection(hub.url, { headers, body: { query } });
    answers.set(await workerOf(answer), answer);
  }
  expect([...answers.keys()].sort()).toEqual([1, 2]);
  return answers;
}

const TEACHERS = '{ schools(first: 2) { nodes { code teachers(first: 2) { nodes { name } } } } }';
const teacherNames = (answer: FreshAnswer): unknown[] =>
  (answer.body.data?.schools?.nodes ?? []).flatMap(
    (school: { teachers: { nodes: { name: unknown }[] } | null }) =>
      school.teachers?.nodes.map((t) => t.name) ?? [null],
  );

it('purges every worker’s cache when one worker receives the invalidation', async () => {
  const drc = await as('development-reform', 'planning');
  const query = '{ districts(first: 3) { nodes { code name } } }';
  // Both workers hold the answer: each serves it from its own cache.
  await until(
    async () => [...(await fromEachWorker(drc, query)).values()].every((a) => a.headers['x-cache'] === 'HIT'),
    10_000,
    20,
    { what: 'both workers to have the answer cached' },
  );
  const purge = await onFreshConnection(new URL('/admin/cache/invalidate', hub.url).href, {
    headers: await asOperator(),
    body: { type: 'District' },
  });
  expect(purge.status).toBe(200);
  // The worker that was told purged at once; the other hears it through the primary.
  await until(
    async () => {
      const answers = await fromEachWorker(drc, query);
      return [...answers.values()].every((a) => a.headers['x-cache'] === 'MISS');
    },
    2000,
    20,
    { what: 'the worker that was not told to purge as well' },
  );
});

it('stops serving a revoked grant from every worker within a second', async () => {
  const analytics = await as('city-analytics', 'statistics');
  await until(
    async () => [...(await fromEachWorker(analytics, TEACHERS)).values()].every((a) => teacherNames(a).every(Boolean)),
    15_000,
    100,
    { what: 'the grant to be applied in both workers' },
  );
  const cdo = { authorization: `Bearer ${await tokenFor('education', undefined, ['cdo:education'])}` };
  const grants = await onFreshConnection(new URL('/admin/grants?agency=education', hub.url).href, { headers: cdo });
  const id = grants.body.grants.find((g: { consumer: string }) => g.consumer === 'city-analytics').id;
  const revoked = await onFreshConnection(new URL(`/admin/grants/${id}/revoke`, hub.url).href, {
    headers: cdo,
    body: { reason: 'workers test' },
  });
  expect(revoked.status).toBe(200);
  const took = await until(
    async () =>
      [...(await fromEachWorker(analytics, TEACHERS)).values()].every(
        (a) =>
          teacherNames(a).every((name) => name === null) &&
          a.body.errors?.some((e: { extensions: { code: string } }) => e.extensions.code === 'GRANT_REVOKED'),
      ),
    1000,
    10,
    { what: 'both workers to refuse the revoked grant' },
  );
  console.log(`revocation in force in both workers ${took} ms after the revoke answered`);
});

it('answers /metrics for the whole gateway, whichever worker serves it', async () => {
  const science = await as('science', 'industrial-policy');
  const count = (text: string) =>
    [...text.matchAll(/^cdo_hub_consumer_requests_total\{consumer="science",outcome="[a-z]+"\} (\d+)/gm)].reduce(
      (sum, match) => sum + Number(match[1]),
      0,
    );
  const metricsUrl = new URL('/metrics', hub.url).href;
  const before = count((await onFreshConnection(metricsUrl, { headers: await asOperator() })).body);
  const answers = [];
  for (let i = 0; i < 6; i++)
    answers.push(await onFreshConnection(hub.url, { headers: science, body: { query: '{ __typename }' } }));
  expect(new Set(await Promise.all(answers.map(workerOf)))).toEqual(new Set([1, 2]));
  // Two reads on two connections: one per worker, both with every worker's count.
  const reads = [
    await onFreshConnection(metricsUrl, { headers: await asOperator() }),
    await onFreshConnection(metricsUrl, { headers: await asOperator() }),
  ];
  expect(reads.map((r) => r.status)).toEqual([200, 200]);
  expect(reads.map((r) => count(r.body) - before)).toEqual([6, 6]);
  expect(reads[0]!.body).toMatch(/^cdo_hub_process_resident_memory_bytes \d+/m);
});
