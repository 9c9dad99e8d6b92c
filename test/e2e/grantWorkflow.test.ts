import {
  FileGrantStore,
  GrantService,
  loadWorkCalendar,
  DEFAULT_CALENDAR_FILE,
  loadPolicySet,
  loadSupergraphFile,
  DEFAULT_SUPERGRAPH_FILE,
  DEFAULT_POLICY_DIR,
  DEFAULT_CONSUMERS_FILE,
  policyGrantChecker,
} from '@cdo-hub/gateway';
import { join } from 'node:path';
import { as, HubProcess, tokenFor } from '../harness/hubProcess';
import { callGateway } from '../harness/gatewayCall';
import { hubCli as runHub } from '../harness/hubCli';
import { until } from '../harness/until';

// The supervision loop on a running hub, without a restart: a consumer applies over the admin API,
// the CDO approves from the CLI with a mask, the consumer reads the field masked, the CDO revokes
// over the API and the field is denied again; every step is in the audit trail.

let hub: HubProcess;
let grantDir: string;
let auditDir: string;

beforeAll(async () => {
  hub = await HubProcess.start();
  // The hub's own temporary data folder holds its grant store and audit trail (the defaults), removed with it.
  grantDir = join(hub.dataDir, 'grants');
  auditDir = join(hub.dataDir, 'audit');
});

afterAll(async () => {
  await hub?.stop();
});

const env = () => ({ HUB_DATA_DIR: hub.dataDir });
const hubCli = (...args: string[]) => runHub(args, env());

const admin = (method: 'GET' | 'POST', path: string, token: string, body?: unknown) =>
  callGateway(hub.gatewayUrl, method, path, token, body);

const ROSTER = '{ schools(first: 3) { nodes { code students(first: 2) { nodes { name grade } } } } }';
async function studentNames(): Promise<{ names: (string | null)[]; codes: string[] }> {
  const { body } = await hub.query(ROSTER, {}, await as('city-analytics', 'statistics'));
  const students = (body.data?.schools?.nodes ?? []).flatMap((s: any) => s.students?.nodes ?? []);
  return {
    names: students.map((s: any) => s.name),
    codes: (body.errors ?? [])
      .filter((e: any) => e.extensions?.coordinate === 'Student.name')
      .map((e: any) => e.extensions.code),
  };
}

it('request (API) → approve with a mask (CLI) → read masked → revoke (API) → denied again, all audited', async () => {
  const analyst = await tokenFor('city-analytics');
  const cdo = await tokenFor('education', undefined, ['cdo:education']);

  expect(await studentNames()).toMatchObject({ codes: ['GRANT_REQUIRED'] });

  const filed = await admin('POST', '/admin/grant-requests', analyst, {
    fields: ['Student.name'],
    purpose: 'statistics',
    reason: 'age-grade mismatch study needs distinct pupils',
    until: '2027-03-31',
  });
  expect(filed.status).toBe(201);
  expect(filed.body.request).toMatchObject({
    status: 'pending',
    agency: 'education',
    consumer: 'city-analytics',
    deadline: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
  });
  const requestId: string = filed.body.request.id;

  // Only the owning agency's CDO decides.
  const forbidden = await admin('POST', `/admin/grant-requests/${requestId}/approve`, analyst, {
    expires: '2027-03-31',
  });
  expect(forbidden).toMatchObject({ status: 403, body: { errors: [{ extensions: { code: 'FORBIDDEN' } }] } });
  expect(
    (await admin('GET', '/admin/grant-requests?agency=education&status=pending', cdo)).body.requests.map(
      (r: any) => r.id,
    ),
  ).toEqual([requestId]);
  expect((await admin('GET', '/admin/grant-requests', analyst)).body.requests.map((r: any) => r.id)).toEqual([
    requestId,
  ]);

  const approved = await hubCli(
    'grant',
    'approve',
    requestId,
    '--by',
    '王丽 (CDO, Municipal Education Commission)',
    '--mask',
    'Student.name=name',
  );
  expect(approved).toMatchObject({
    code: 0,
    stdout: expect.stringMatching(/GRANT-\d{4}-\d{4} in force until 2027-03-31/),
  });

  // The gateway picks the grant up from the store within seconds, with no restart.
  let names: (string | null)[] = [];
  const took = await until(
    async () => {
      ({ names } = await studentNames());
      return names.length > 0 && names.every((n) => n !== null);
    },
    10_000,
    100,
  ).catch(() => Number.NaN); // the expectations below say what was missing
  console.log(`approval reached the running gateway in ${took} ms`);
  expect(names.length).toBeGreaterThan(0);
  for (const name of names) expect(name).toMatch(/^\p{Script=Han}\*+$/u); // surname kept: 张*

  const grantId = approved.stdout.match(/GRANT-\d{4}-\d{4}/)![0];
  const revoked = await admin('POST', `/admin/grants/${grantId}/revoke`, cdo, {
    reason: 'study finished early',
    by: '王丽',
  });
  expect(revoked).toMatchObject({
    status: 200,
    body: { grant: { id: grantId, revoked: { reason: 'study finished early' } } },
  });
  // The very next request is denied: the admin API applies the revocation before it answers, and
  // the denial says the grant was revoked (GRANT_REVOKED), not that none was ever held.
  expect(await studentNames()).toMatchObject({ codes: ['GRANT_REVOKED'] });
  expect((await admin('POST', `/admin/grants/${grantId}/revoke`, cdo, { reason: 'again' })).status).toBe(409);

  // Every step is an audit record, and the CDO's report lists them.
  const report = JSON.parse(
    (await hubCli('audit', 'report', '--agency', 'education', '--format', 'json', '--dir', auditDir)).stdout,
  );
  expect(report.decisions.map((d: any) => [d.action, d.actor.split(' ')[0]])).toEqual([
    ['requested', 'city-analytics'],
    ['approved', '王丽'],
    ['revoked', '王丽'],
  ]);
  expect((await hubCli('audit', 'verify', '--dir', auditDir)).stdout).toMatch(/audit trail OK/);
});

it('refuses a request for NOT_SHARED fields with the legal basis, and rejects malformed ones with catalogued codes', async () => {
  const haidian = await tokenFor('district-haidian');
  const refused = await admin('POST', '/admin/grant-requests', haidian, {
    fields: 'Student.idNumber',
    purpose: 'enrollment-planning',
    reason: 'match pupils with the household register',
  });
  expect(refused.status).toBe(201);
  expect(refused.body.request).toMatchObject({
    status: 'refused',
    decision: { by: 'policy', reason: expect.stringMatching(/Student.idNumber is NOT_SHARED: PIPL/) },
  });
  expect(
    await admin('POST', '/admin/grant-requests', haidian, {
      fields: ['Student.nope'],
      purpose: 'enrollment-planning',
      reason: 'x',
    }),
  ).toMatchObject({ status: 400, body: { errors: [{ extensions: { code: 'GRANT_REQUEST_INVALID' } }] } });
  expect(await admin('POST', '/admin/grant-requests', haidian, { purpose: 'enrollment-planning' })).toMatchObject({
    status: 400,
    body: { errors: [{ extensions: { code: 'GRANT_REQUEST_INVALID' } }] },
  });
  expect(
    (
      await admin(
        'POST',
        '/admin/grants/GRANT-1999-0001/revoke',
        await tokenFor('education', undefined, ['cdo:education']),
        { reason: 'x' },
      )
    ).status,
  ).toBe(404);
  const anonymous = await fetch(hub.gatewayUrl.replace('/graphql', '/admin/grant-requests'));
  expect(anonymous.status).toBe(401);
  const cli = await hubCli(
    'grant',
    'request',
    '--consumer',
    'district-haidian',
    '--fields',
    'Student.healthNotes',
    '--purpose',
    'enrollment-planning',
    '--reason',
    'x',
  );
  expect(cli.code).toBe(1);
});

it('lists requests past their 10-working-day deadline as overdue', async () => {
  // A request filed on 2 November 2026 (due 16 November), still unanswered.
  const supergraph = loadSupergraphFile(DEFAULT_SUPERGRAPH_FILE);
  const sources = { policyDir: DEFAULT_POLICY_DIR, consumersFile: DEFAULT_CONSUMERS_FILE };
  const old = new GrantService({
    store: new FileGrantStore(grantDir),
    policySet: () => loadPolicySet(sources, supergraph).policySet!,
    calendar: loadWorkCalendar(DEFAULT_CALENDAR_FILE),
    checkGrant: policyGrantChecker(sources, supergraph),
    now: () => new Date('2026-11-02T09:00:00+08:00'),
  });
  const { result } = await old.request({
    consumer: 'district-haidian',
    fields: ['Teacher.*'],
    purpose: 'enrollment-planning',
    reason: 'staffing plan',
    requestedBy: 'haidian-app',
  });
  const overdue = await hubCli('grant', 'list', '--agency', 'education', '--overdue');
  expect(overdue.stdout).toMatch(new RegExp(`${result.id}\\s+OVERDUE.*2026-11-16\\s+\\d+ working day\\(s\\) late`));
  expect((await hubCli('grant', 'list', '--agency', 'education', '--overdue', '--json')).stdout).toContain(
    `"id": "${result.id}"`,
  );
});
