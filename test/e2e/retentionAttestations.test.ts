import {
  DEFAULT_CALENDAR_FILE,
  DEFAULT_CONSUMERS_FILE,
  DEFAULT_POLICY_DIR,
  DEFAULT_SUPERGRAPH_FILE,
  FileGrantStore,
  GrantService,
  beijingDate,
  loadPolicySet,
  loadSupergraphFile,
  loadWorkCalendar,
  policyGrantChecker,
  runtimeGrantInputs,
  type AttestationDue,
} from '@cdo-hub/gateway';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { callGateway } from '../harness/gatewayCall';
import { hubCli as runHub } from '../harness/hubCli';
import { HubProcess, tokenFor } from '../harness/hubProcess';
import { until } from '../harness/until';

// Time-bound holding on a running hub: a grant that states retainDays owes a deletion
// attestation once it ends, by its last day + retainDays. A grant revoked today is due; one that
// ended in the past — made on a clock of the test's own, no waiting — is overdue, listed to the
// CDO (hub grant attestations, the admin API, the console's register) and in hub audit report,
// until the consumer attests deletion (hub grant attest-deletion, or over the admin API).

let hub: HubProcess;
let grantDir: string;
let auditDir: string;

beforeAll(async () => {
  hub = await HubProcess.start();
  // The hub's own temporary data folder holds its grant store and audit trail (the defaults), removed with it.
  grantDir = join(hub.dataDir, 'grants');
  auditDir = join(hub.dataDir, 'audit');
}, 120_000);

afterAll(async () => {
  await hub?.stop();
});

const hubCli = (...args: string[]) => runHub(args, { HUB_DATA_DIR: hub.dataDir });
const admin = (method: 'GET' | 'POST', path: string, token: string, body?: unknown) =>
  callGateway(hub.gatewayUrl, method, path, token, body);

/** The grant workflow on this hub's store and policies, on a clock of the test's own. */
function serviceAt(now: string): GrantService {
  const supergraph = loadSupergraphFile(DEFAULT_SUPERGRAPH_FILE);
  const sources = { policyDir: DEFAULT_POLICY_DIR, consumersFile: DEFAULT_CONSUMERS_FILE };
  const store = new FileGrantStore(grantDir);
  return new GrantService({
    store,
    policySet: (state) =>
      loadPolicySet(sources, supergraph, {
        runtimeGrants: runtimeGrantInputs(state, store.location),
        now: Date.parse(now),
      }).policySet!,
    calendar: loadWorkCalendar(DEFAULT_CALENDAR_FILE),
    checkGrant: policyGrantChecker(sources, supergraph),
    now: () => new Date(now),
  });
}

const today = () => beijingDate(new Date());
const plusDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

let revokedToday: string;
let endedLongAgo: string;

it('makes an attestation due when a grant with retainDays is revoked, by the revocation day + retainDays', async () => {
  const analyst = await tokenFor('city-analytics');
  const cdo = await tokenFor('education', undefined, ['cdo:education']);
  const filed = await admin('POST', '/admin/grant-requests', analyst, {
    fields: ['Teacher.title'],
    purpose: 'statistics',
    reason: 'staff qualification study',
    until: '2027-03-31',
  });
  expect(filed.status).toBe(201);
  const approved = await admin('POST', `/admin/grant-requests/${filed.body.request.id}/approve`, cdo, {
    by: '王丽',
    retainDays: 30,
    addFields: ['School.teachers'],
  });
  expect(approved).toMatchObject({ status: 200, body: { grant: { retainDays: 30 } } });
  revokedToday = approved.body.grant.id;
  // In force: nothing is owed yet, and attesting is refused.
  expect((await admin('GET', '/admin/grant-attestations?agency=education', cdo)).body.attestations).toEqual([]);
  expect(await admin('POST', `/admin/grants/${revokedToday}/attest-deletion`, analyst, {})).toMatchObject({
    status: 409,
    body: { errors: [{ extensions: { code: 'GRANT_CONFLICT' }, message: expect.stringContaining('still in force') }] },
  });
  expect((await admin('POST', `/admin/grants/${revokedToday}/revoke`, cdo, { reason: 'study stopped' })).status).toBe(
    200,
  );

  const listed = await hubCli('grant', 'attestations', '--agency', 'education');
  expect(listed.code).toBe(0);
  const row = listed.stdout.split('\n').find((line) => line.startsWith(revokedToday))!;
  expect(row).toMatch(
    new RegExp(
      `^${revokedToday}\\s+due\\s+city-analytics\\s+education\\s+revoked ${today()}\\s+30\\s+${plusDays(today(), 30)}\\s+-$`,
    ),
  );
  // The same grant on a clock 31 days on: overdue, with nothing else changed.
  const later = await serviceAt(`${plusDays(today(), 31)}T10:00:00+08:00`).attestations({ agency: 'education' });
  expect(later.find((a) => a.id === revokedToday)).toMatchObject({ status: 'overdue', dueBy: plusDays(today(), 30) });
});

it('lists a grant that ended in the past as overdue, to the CDO and in the usage report', async () => {
  // Filed, approved and left to expire in October, on the test's own clock.
  const october = serviceAt('2026-10-08T10:00:00+08:00');
  const request = await october.request({
    consumer: 'district-haidian',
    fields: ['Student.gender'],
    purpose: 'enrollment-planning',
    reason: 'boarding places by gender',
    requestedBy: 'haidian-app',
    until: '2026-10-31',
  });
  const grant = await october.approve(request.result.id, { by: '王丽 (CDO)', retainDays: 10 });
  endedLongAgo = grant.result.id;

  const overdue = await hubCli('grant', 'attestations', '--agency', 'education', '--overdue');
  expect(overdue.stdout).toMatch(
    new RegExp(
      `^${endedLongAgo}\\s+OVERDUE\\s+district-haidian\\s+education\\s+expired 2026-10-31\\s+10\\s+2026-11-10\\s+-$`,
      'm',
    ),
  );
  expect(overdue.stdout).not.toContain(revokedToday);
  const json = JSON.parse(
    (await hubCli('grant', 'attestations', '--agency', 'education', '--json')).stdout,
  ) as AttestationDue[];
  expect(json.map((a) => [a.id, a.status])).toEqual([
    [endedLongAgo, 'overdue'],
    [revokedToday, 'due'],
  ]);

  const report = await hubCli('audit', 'report', '--agency', 'education', '--dir', auditDir);
  expect(report.code).toBe(0);
  expect(report.stdout).toContain('deletion attestations overdue: 1 (hub grant attestations --agency education)');
  expect(report.stdout).toMatch(
    new RegExp(`${endedLongAgo}\\s+district-haidian\\s+expired 2026-10-31\\s+10\\s+2026-11-10`),
  );
  const reportJson = JSON.parse(
    (await hubCli('audit', 'report', '--agency', 'education', '--format', 'json', '--dir', auditDir)).stdout,
  );
  expect(reportJson.overdueAttestations.map((a: AttestationDue) => a.id)).toEqual([endedLongAgo]);

  // The console's register marks it, and its CDO's admin route lists it; nobody else's.
  const cdo = await tokenFor('education', undefined, ['cdo:education']);
  const register = await admin('GET', '/admin/grant-register?agency=education', cdo);
  expect(register.body.grants.find((g: any) => g.id === endedLongAgo)).toMatchObject({
    status: 'expired',
    retainDays: 10,
    deletion: { dueBy: '2026-11-10', status: 'overdue' },
  });
  const science = await tokenFor('science', undefined, ['cdo:science']);
  expect((await admin('GET', '/admin/grant-attestations?agency=education', science)).status).toBe(403);
});

it('clears an overdue attestation when the consumer attests deletion, once, and audits it', async () => {
  // Only the consumer that held the grant attests (another's grant is not found); the CLI names it.
  const analyst = await tokenFor('city-analytics');
  expect((await admin('POST', `/admin/grants/${endedLongAgo}/attest-deletion`, analyst, {})).status).toBe(404);
  const wrong = await hubCli('grant', 'attest-deletion', '--grant', endedLongAgo, '--consumer', 'city-analytics');
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toContain(`GRANT_NOT_FOUND: no grant "${endedLongAgo}" held by city-analytics`);

  const attested = await hubCli(
    'grant',
    'attest-deletion',
    '--grant',
    endedLongAgo,
    '--consumer',
    'district-haidian',
    '--note',
    'gender extracts removed from the planning share',
    '--by',
    '张伟',
  );
  expect(attested).toMatchObject({ code: 0 });
  expect(attested.stdout).toContain(`deletion attested under ${endedLongAgo}: district-haidian`);
  expect(
    (await hubCli('grant', 'attest-deletion', '--grant', endedLongAgo, '--consumer', 'district-haidian')).stderr,
  ).toMatch(/GRANT_CONFLICT: deletion under .* was attested on/);

  const listed = await hubCli('grant', 'attestations', '--agency', 'education');
  expect(listed.stdout).toMatch(
    new RegExp(`^${endedLongAgo}\\s+attested\\s+.*2026-11-10\\s+${today()} by 张伟: gender extracts removed`, 'm'),
  );
  expect((await hubCli('grant', 'attestations', '--agency', 'education', '--overdue')).stdout).toBe(
    'no deletion attestations owed\n',
  );
  expect((await hubCli('audit', 'report', '--agency', 'education', '--dir', auditDir)).stdout).not.toContain(
    'deletion attestations overdue',
  );

  // The consumer attests over the admin API too, for its own grant; the list it reads is its own.
  const byApi = await admin('POST', `/admin/grants/${revokedToday}/attest-deletion`, analyst, {
    by: '李娜',
    note: 'title extracts deleted',
  });
  expect(byApi).toMatchObject({
    status: 201,
    body: { attestation: { grantId: revokedToday, consumer: 'city-analytics', attestedBy: '李娜 (city-analytics)' } },
  });
  expect((await admin('GET', '/admin/grant-attestations', analyst)).body.attestations).toEqual([
    expect.objectContaining({ id: revokedToday, status: 'attested' }),
  ]);

  // Each attestation is a workflow step in the gateway's audit trail, which the report lists.
  const decisions = async () =>
    JSON.parse((await hubCli('audit', 'report', '--agency', 'education', '--format', 'json', '--dir', auditDir)).stdout)
      .decisions as { action: string; grantId?: string }[];
  await until(
    async () => (await decisions()).filter((d) => d.action === 'deletion-attested').length === 2,
    10_000,
    100,
    {
      what: 'the attestations in the audit trail',
    },
  );
  expect(
    (await decisions())
      .filter((d) => d.action === 'deletion-attested')
      .map((d) => d.grantId)
      .sort(),
  ).toEqual([endedLongAgo, revokedToday].sort());
  const trail = readdirSync(auditDir)
    .filter((f) => f.startsWith('audit-'))
    .map((f) => readFileSync(join(auditDir, f), 'utf8'))
    .join('');
  expect(trail).toContain('"action":"deletion-attested"');
  expect((await hubCli('audit', 'verify', '--dir', auditDir)).stdout).toMatch(/audit trail OK/);
});
