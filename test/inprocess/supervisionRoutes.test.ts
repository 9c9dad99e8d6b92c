import { startInProcessHub, type InProcessHub } from './gatewayHarness';

// http/supervisionRoutes.ts: the console's usage page reads the audit trail through
// /admin/usage — requests per consumer and purpose over time, fields released, masked and
// withheld with the connection plumbing folded apart, in Beijing time — for the agency's CDO only.

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
