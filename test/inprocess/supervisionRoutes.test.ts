import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startInProcessHub, type InProcessHub } from './gatewayHarness';

// http/supervisionRoutes.ts: the console's usage page reads the audit trail through
// /admin/usage — requests per consumer and purpose over time, fields released, masked and
// withheld with the connection plumbing folded apart, in Beijing time — and its audit-and-schema
// page the trail's checkpoints, witness and verification, and the schema versions; each for the
// agency's CDO only.

let hub: InProcessHub;
let educationCdo: Record<string, string>;
let reformCdo: Record<string, string>;
let analyst: Record<string, string>;

const ROSTER =
  'query Roster { schools(first: 2) { nodes { code students(first: 2) { nodes { grade idNumber } pageInfo { endCursor } } } } }';

beforeAll(async () => {
  hub = await startInProcessHub();
  educationCdo = await hub.as('education-cdo', undefined, ['cdo:education']);
  reformCdo = await hub.as('development-reform', undefined, ['cdo:development-reform']);
  analyst = await hub.as('city-analytics', 'statistics');
});

afterAll(async () => {
  await hub?.stop();
});

const post = async (url: string, headers: Record<string, string>) => {
  const response = await hub.inject({
    method: 'POST',
    url,
    headers: { ...headers, 'content-type': 'application/json' },
    payload: '{}',
  });
  return { status: response.statusCode, body: response.json(), code: response.json().errors?.[0]?.extensions?.code };
};
const get = async (url: string, headers: Record<string, string> = {}) => {
  const response = await hub.inject({ method: 'GET', url, headers });
  return { status: response.statusCode, body: response.json(), code: response.json().errors?.[0]?.extensions?.code };
};

it("draws the agency's usage: per consumer and purpose over time, data fields apart from plumbing, in Beijing time", async () => {
  for (let i = 0; i < 2; i++) expect((await hub.query(ROSTER, {}, analyst)).status).toBe(200);
  const usage = await get('/admin/usage?agency=education&since=24h', educationCdo);
  expect(usage.status).toBe(200);
  expect(usage.body).toMatchObject({ agency: 'education', timeZone: 'Asia/Shanghai', bucket: 'hour', window: '24h' });
  expect(usage.body.buckets).toHaveLength(25);
  // The last bucket is this hour in Beijing.
  const beijingHour = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 13).replace('T', ' ');
  expect(usage.body.buckets.at(-1)).toBe(`${beijingHour}:00`);
  const analytics = usage.body.usage.find((u: any) => u.consumer === 'city-analytics');
  expect(analytics).toMatchObject({ purpose: 'statistics', requests: 2 });
  expect(analytics.perBucket.at(-1)).toBe(2);
  expect(analytics.lastSeen.slice(0, 13)).toBe(beijingHour);
  const fields = analytics.fields.map((f: any) => f.field);
  expect(fields).toEqual(expect.arrayContaining(['Student.grade', 'Student.idNumber', 'School.code']));
  expect(fields.some((f: string) => /Connection|PageInfo/.test(f))).toBe(false);
  expect(analytics.fields.find((f: any) => f.field === 'Student.idNumber')).toMatchObject({ denied: 2, released: 0 });
  expect(analytics.plumbing.map((f: any) => f.field)).toEqual(expect.arrayContaining(['PageInfo.endCursor']));
});

it("answers only the agency's CDO, and only known windows", async () => {
  expect(await get('/admin/usage?agency=education', reformCdo)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
  expect(await get('/admin/usage?agency=education', analyst)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
  expect(await get('/admin/usage?agency=education')).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  expect(await get('/admin/usage?agency=education&since=1y', educationCdo)).toMatchObject({
    status: 400,
    code: 'ADMIN_REQUEST_INVALID',
  });
  const own = await get('/admin/usage?agency=development-reform&since=30d', reformCdo);
  expect(own).toMatchObject({ status: 200, body: { bucket: 'day' } });
  // Its own agency's records only: nothing of education's students.
  expect(JSON.stringify(own.body)).not.toMatch(/Student\./);
});

it("shows the audit trail's checkpoints and witness, verifies it on request, and reports a record edited since", async () => {
  expect((await hub.query(ROSTER, {}, analyst)).status).toBe(200);
  const state = await get('/admin/audit-state?agency=education', educationCdo);
  expect(state.status).toBe(200);
  expect(state.body.chains).toEqual([expect.objectContaining({ chain: '.', trailId: expect.any(String) })]);
  expect(state.body.witness).toBe(join(hub.dataDir, 'audit-witness'));
  expect(state.body.lastVerification).toBeUndefined();

  const verified = await post('/admin/audit-state/verify?agency=education', educationCdo);
  expect(verified.status).toBe(200);
  expect(verified.body.lastVerification).toMatchObject({
    by: 'education-cdo',
    chains: [{ chain: '.', ok: true, problems: [], records: expect.any(Number) }],
  });
  expect(verified.body.lastVerification.at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
  expect((await get('/admin/audit-state?agency=education', educationCdo)).body.lastVerification).toEqual(
    verified.body.lastVerification,
  );

  // Someone edits a record in place: the next verification says the trail is broken, and where.
  const dir = join(hub.dataDir, 'audit');
  const file = join(
    dir,
    readdirSync(dir).find((f) => /^audit-.*\.jsonl$/.test(f))!,
  );
  writeFileSync(file, readFileSync(file, 'utf8').replace('"consumer":"city-analytics"', '"consumer":"city-analytica"'));
  const broken = await post('/admin/audit-state/verify?agency=education', educationCdo);
  expect(broken.body.lastVerification.chains[0]).toMatchObject({ ok: false });
  expect(broken.body.lastVerification.chains[0].problems.join('\n')).toMatch(/audit-.*\.jsonl:\d+: /);

  expect(await get('/admin/audit-state?agency=education', reformCdo)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
  expect(await post('/admin/audit-state/verify?agency=education', analyst)).toMatchObject({
    status: 403,
    code: 'FORBIDDEN',
  });
});

it('says when the schema registry holds no version yet, to the CDO only', async () => {
  const versions = await get('/admin/schema-versions?agency=education', educationCdo);
  expect(versions).toMatchObject({
    status: 200,
    body: { agency: 'education', registry: 'unused', versions: [], servedSupergraph: expect.any(String) },
  });
  expect(await get('/admin/schema-versions?agency=education', reformCdo)).toMatchObject({ status: 403 });
  expect(await get('/admin/schema-versions', educationCdo)).toMatchObject({
    status: 400,
    code: 'ADMIN_REQUEST_INVALID',
  });
});
