import {
  DEFAULT_CALENDAR_FILE,
  DEFAULT_CONSUMERS_FILE,
  DEFAULT_POLICY_DIR,
  DEFAULT_SUPERGRAPH_FILE,
} from '@cdo-hub/gateway/config';
import { DisputeService, openDisputeStore } from '@cdo-hub/gateway/disputes';
import { addWorkingDays, beijingDate, loadWorkCalendar } from '@cdo-hub/gateway/grants';
import { loadPolicySet } from '@cdo-hub/gateway/policy';
import { loadSupergraphFile } from '@cdo-hub/gateway/supergraph';
import { AgencyDatabase } from '@cdo-hub/subgraph-kit';
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callGateway } from '../harness/gatewayCall';
import { hubCli as runHub } from '../harness/hubCli';
import { as, HubProcess, tokenFor } from '../harness/hubProcess';
import { until } from '../harness/until';

// The dispute loop (疑义校核) on a running hub, through the CLI and the admin API: a consumer
// disputes a value it may read; while the dispute is open every answer carrying that record's
// field says so (extensions.disputes) to departments that may read the field, and to no one else,
// whether the answer comes from the agencies or the cache; an overdue one shows in the usage
// report; the owning CDO answers once; a correction purges the caches, so the value the agency
// corrected is fetched again. The agencies publish no change events here (HUB_GATEWAY_URL is
// empty), so only the correction can purge the record.

let hub: HubProcess;
let grantDir: string;

beforeAll(async () => {
  hub = await HubProcess.start({ env: { HUB_GATEWAY_URL: '' } });
  // The hub's own temporary data folder holds its grant store (the default), removed with it.
  grantDir = join(hub.dataDir, 'grants');
}, 120_000);

afterAll(async () => {
  await hub?.stop();
});

const hubCli = (...args: string[]) => runHub(args, { HUB_DATA_DIR: hub.dataDir });
const admin = async (method: 'GET' | 'POST', path: string, token: string, body?: unknown) =>
  callGateway(hub.gatewayUrl, method, path, token, body);
const ask = async (query: string, consumer?: string, purpose?: string) => {
  const { headers, body } = await hub.query(query, {}, consumer ? await as(consumer, purpose) : {});
  return { cache: headers.get('x-cache'), cacheControl: headers.get('cache-control'), body: body as any };
};

/** An answer asked as CSV, read with node:http, which gives trailers (fetch does not). */
const csvAnswer = (query: string, headers: Record<string, string>) =>
  new Promise<{ text: string; headers: IncomingHttpHeaders; trailers: NodeJS.Dict<string> }>((resolve, reject) => {
    const request = httpRequest(
      hub.gatewayUrl,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/csv', te: 'trailers', ...headers },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ text, headers: response.headers, trailers: response.trailers }));
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify({ query }));
  });

const calendar = loadWorkCalendar(DEFAULT_CALENDAR_FILE);
const CLAIM = 'The school was renamed by the district in 2026: claim text 甲乙丙';

let school: { code: string; name: string; district: string };
let project: string;
const schoolQuery = () => `{ school(code: "${school.code}") { code name enrolment } }`;
const projectQuery = () => `{ investmentProject(code: "${project}") { code name budgetDetail } }`;
let cliDispute: string;
let apiDispute: string;

it('files a dispute from the CLI, due the agency’s working days later, with its evidence digested', async () => {
  const education = hub.database('education');
  school = education.get<typeof school>(
    'SELECT code, name, district_code AS district FROM schools ORDER BY code LIMIT 1',
  )!;
  education.close();
  const drc = hub.database('development-reform');
  project = drc.get<{ code: string }>('SELECT code FROM investment_projects ORDER BY code LIMIT 1')!.code;
  drc.close();
  // The answer is cached before the dispute: a hit must carry the notice too.
  await ask(schoolQuery(), 'city-analytics', 'statistics');
  expect((await ask(schoolQuery(), 'city-analytics', 'statistics')).cache).toBe('HIT');

  const evidence = join(grantDir, 'renaming-notice.txt');
  writeFileSync(evidence, 'district notice 2026-17: renamed');
  const filed = await hubCli(
    'dispute',
    'file',
    '--consumer',
    'city-analytics',
    '--coordinate',
    'School.name',
    '--key',
    school.code,
    '--claim',
    CLAIM,
    '--evidence',
    evidence,
    '--by',
    'analyst 陈',
  );
  expect([filed.code, filed.stderr]).toEqual([0, '']);
  const due = addWorkingDays(beijingDate(new Date()), 10, calendar);
  const [, id, dueDate] = /^(DSP-\d{4}-\d{4}) due (\d{4}-\d{2}-\d{2})$/m.exec(filed.stdout)!;
  cliDispute = id!;
  expect(dueDate).toBe(due);
  expect(cliDispute).toBe(`DSP-${beijingDate(new Date()).slice(0, 4)}-0001`);
  expect(filed.stdout).toContain(createHash('sha256').update('district notice 2026-17: renamed').digest('hex'));
});

it('refuses an unknown field and a field the consumer may not read, from the CLI and over the admin API', async () => {
  const unknown = await hubCli(
    'dispute',
    'file',
    '--consumer',
    'city-analytics',
    '--coordinate',
    'School.nmae',
    '--key',
    school.code,
    '--claim',
    'x',
  );
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toMatch(/DISPUTE_INVALID: unknown field School.nmae/);
  const unreadable = await hubCli(
    'dispute',
    'file',
    '--consumer',
    'city-analytics',
    '--coordinate',
    'InvestmentProject.budgetDetail',
    '--key',
    project,
    '--claim',
    'x',
  );
  expect(unreadable.code).toBe(1);
  expect(unreadable.stderr).toMatch(/DISPUTE_FIELD_NOT_READABLE/);

  const analyst = await tokenFor('city-analytics', 'statistics');
  const refused = await admin('POST', '/admin/disputes', analyst, {
    coordinate: 'InvestmentProject.budgetDetail',
    key: project,
    claim: 'x',
  });
  expect([refused.status, refused.body.errors[0].extensions.code]).toEqual([403, 'DISPUTE_FIELD_NOT_READABLE']);
  const badField = await admin('POST', '/admin/disputes', analyst, { coordinate: 'Nope.name', key: '1', claim: 'x' });
  expect([badField.status, badField.body.errors[0].extensions.code]).toEqual([400, 'DISPUTE_INVALID']);
  // Consumers file for themselves: the body names no consumer.
  const forAnother = await admin('POST', '/admin/disputes', analyst, {
    coordinate: 'School.name',
    key: school.code,
    claim: 'x',
    consumer: 'science',
  });
  expect([forAnother.status, forAnother.body.errors[0].extensions.code]).toEqual([400, 'DISPUTE_INVALID']);
});

it('files over the admin API, for the token’s consumer, with evidence', async () => {
  const science = await tokenFor('science', 'industrial-policy');
  const contents = Buffer.from('budget table, line 12');
  const filed = await admin('POST', '/admin/disputes', science, {
    coordinate: 'InvestmentProject.budgetDetail',
    key: project,
    claim: 'line 12 counts the land twice',
    evidence: { name: 'budget.csv', contentBase64: contents.toString('base64') },
  });
  expect(filed.status).toBe(201);
  apiDispute = filed.body.dispute.id;
  expect(filed.body.dispute).toMatchObject({
    consumer: 'science',
    purpose: 'industrial-policy',
    agency: 'development-reform',
    status: 'open',
    evidence: {
      name: 'budget.csv',
      bytes: contents.length,
      sha256: createHash('sha256').update(contents).digest('hex'),
    },
  });
  // The owning CDO reads the evidence itself; another agency is told there is no such dispute.
  const owner = await tokenFor('development-reform', undefined, ['cdo:development-reform']);
  const whole = await admin('GET', `/admin/disputes/${apiDispute}`, owner);
  expect(Buffer.from(whole.body.dispute.evidence.contentBase64, 'base64').toString()).toBe('budget table, line 12');
  const other = await admin(
    'GET',
    `/admin/disputes/${apiDispute}`,
    await tokenFor('education', undefined, ['cdo:education']),
  );
  expect([other.status, other.body.errors[0].extensions.code]).toEqual([404, 'DISPUTE_NOT_FOUND']);
});

it('names the open dispute in answers to departments that may read the field, hit or miss, and to no one else', async () => {
  // The CLI wrote the store; the gateway follows it.
  await until(async () =>
    Boolean((await ask(schoolQuery(), 'city-analytics', 'statistics')).body.extensions?.disputes),
  );
  const seen = await ask(schoolQuery(), 'city-analytics', 'statistics');
  expect(seen.cache).toBe('HIT');
  expect(seen.body.extensions.disputes).toEqual([
    {
      id: cliDispute,
      coordinate: 'School.name',
      key: school.code,
      filedAt: expect.any(String),
      dueDate: expect.any(String),
    },
  ]);
  expect(seen.cacheControl).toBe('no-store');
  expect(JSON.stringify(seen.body)).not.toContain('甲乙丙');
  // Without the disputed field, no notice; the public is never told.
  expect(
    (await ask(`{ school(code: "${school.code}") { code enrolment } }`, 'city-analytics', 'statistics')).body
      .extensions,
  ).toBeUndefined();
  expect((await ask(schoolQuery())).body.extensions).toBeUndefined();

  // budgetDetail: science reads it under its grant and is told; city-analytics may not read it and is not.
  const holder = await ask(projectQuery(), 'science', 'industrial-policy');
  expect(holder.body.extensions?.disputes?.map((d: { id: string }) => d.id)).toEqual([apiDispute]);
  const other = await ask(projectQuery(), 'city-analytics', 'statistics');
  expect(other.body.data.investmentProject.budgetDetail).toBeNull();
  expect(other.body.extensions).toBeUndefined();
  expect(other.body.errors?.[0]?.extensions?.code).toBe('GRANT_REQUIRED');

  // A CSV answer has no extensions: the same notices go in its x-hub-disputes header — a trailer
  // when the gateway pages the export — to the same askers only.
  const schoolsQuery = `{ schools(districtCode: "${school.district}", first: 5) { nodes { code name enrolment } } }`;
  const paged = await csvAnswer(schoolsQuery, await as('city-analytics', 'statistics'));
  expect([paged.headers['content-type'], paged.text]).toEqual([
    expect.stringMatching(/^text\/csv/),
    expect.any(String),
  ]);
  expect(paged.text).toContain(school.code);
  expect(paged.text).not.toContain('甲乙丙');
  expect(paged.trailers['x-hub-disputes']).toBe(
    `${cliDispute} School.name ${school.code} due=${seen.body.extensions.disputes[0].dueDate}`,
  );
  const publicAnswer = await csvAnswer(schoolsQuery, {});
  expect(publicAnswer.headers['content-type']).toMatch(/^text\/csv/);
  expect(publicAnswer.headers['x-hub-disputes']).toBeUndefined();
  expect(publicAnswer.trailers['x-hub-disputes']).toBeUndefined();
});

it('lists an overdue dispute to the CDO and in the usage report', async () => {
  // A dispute filed a month ago, on a clock of the test's own: its ten working days are past.
  const supergraph = loadSupergraphFile(DEFAULT_SUPERGRAPH_FILE);
  const monthAgo = new Date(Date.now() - 30 * 86_400_000);
  const { policySet } = loadPolicySet(
    { policyDir: DEFAULT_POLICY_DIR, consumersFile: DEFAULT_CONSUMERS_FILE },
    supergraph,
  );
  const store = await openDisputeStore({ grantStoreDir: grantDir });
  const late = await new DisputeService({ store, policySet: () => policySet!, calendar, now: () => monthAgo }).file({
    consumer: 'development-reform',
    purpose: 'planning',
    coordinate: 'School.enrolment',
    key: school.code,
    claim: 'enrolment counts last year’s pupils',
    filedBy: 'planning office',
  });
  await store.close();

  const listed = await hubCli('dispute', 'list', '--agency', 'education');
  expect(listed.code).toBe(0);
  const line = listed.stdout.split('\n').find((l) => l.startsWith(late.id))!;
  expect(line).toMatch(
    new RegExp(
      `^${late.id}\\s+OVERDUE\\s+development-reform\\s+School.enrolment\\s+${school.code}\\s+\\d{4}-\\d{2}-\\d{2}\\s+${late.dueDate}\\s`,
    ),
  );
  expect(listed.stdout).toMatch(new RegExp(`^${cliDispute}\\s+open\\s`, 'm'));

  const cdo = await tokenFor('education-cdo', undefined, ['cdo:education']);
  const overdue = await admin('GET', '/admin/disputes?agency=education&status=overdue', cdo);
  expect(overdue.body.disputes.map((d: { id: string }) => d.id)).toEqual([late.id]);
  const notCdo = await admin('GET', '/admin/disputes?agency=education', await tokenFor('city-analytics'));
  expect([notCdo.status, notCdo.body.errors[0].extensions.code]).toEqual([403, 'FORBIDDEN']);

  const report = await hubCli('audit', 'report', '--agency', 'education');
  expect(report.code).toBe(0);
  expect(report.stdout).toContain('disputes open: 2, overdue: 1 (hub dispute list --agency education)');
  expect(report.stdout).toMatch(new RegExp(`^${late.id}\\s+OVERDUE\\s`, 'm'));
  const json = JSON.parse((await hubCli('audit', 'report', '--agency', 'education', '--format', 'json')).stdout);
  expect(json.disputes).toMatchObject({ open: 2, overdue: 1 });
});

it('lets only the owning CDO answer, once, and refuses bad ids', async () => {
  const otherCdo = await tokenFor('development-reform', undefined, ['cdo:development-reform']);
  const wrongAgency = await admin('POST', `/admin/disputes/${cliDispute}/answer`, otherCdo, {
    outcome: 'confirmed',
    reason: 'not ours',
  });
  expect([wrongAgency.status, wrongAgency.body.errors[0].extensions.code]).toEqual([403, 'FORBIDDEN']);
  const noRole = await admin('POST', `/admin/disputes/${cliDispute}/answer`, await tokenFor('city-analytics'), {
    outcome: 'corrected',
    reason: 'mine',
  });
  expect([noRole.status, noRole.body.errors[0].extensions.code]).toEqual([403, 'FORBIDDEN']);
  const cdo = await tokenFor('education-cdo', undefined, ['cdo:education']);
  for (const [id, status, code] of [
    ['DSP-2026-9999', 404, 'DISPUTE_NOT_FOUND'],
    ['DSP-26-1', 400, 'DISPUTE_INVALID'],
  ] as const) {
    const answer = await admin('POST', `/admin/disputes/${id}/answer`, cdo, { outcome: 'confirmed', reason: 'x' });
    expect([answer.status, answer.body.errors[0].extensions.code]).toEqual([status, code]);
  }
  const badOutcome = await admin('POST', `/admin/disputes/${cliDispute}/answer`, cdo, {
    outcome: 'fixed',
    reason: 'x',
  });
  expect([badOutcome.status, badOutcome.body.errors[0].extensions.code]).toEqual([400, 'DISPUTE_INVALID']);
  const cliBadId = await hubCli('dispute', 'answer', '--id', 'DSP-2026-9999', '--outcome', 'rejected', '--reason', 'x');
  expect([cliBadId.code, /DISPUTE_NOT_FOUND/.test(cliBadId.stderr)]).toEqual([1, true]);
});

it('takes a rejected dispute off the answers at once, cached or not (CLI answer)', async () => {
  const answered = await hubCli(
    'dispute',
    'answer',
    '--id',
    apiDispute,
    '--outcome',
    'rejected',
    '--reason',
    'line 12 is the land purchase; the building is line 13',
    '--by',
    '李强',
  );
  expect(answered.code).toBe(0);
  expect(answered.stdout).toMatch(new RegExp(`^${apiDispute} REJECTED by 李强`));
  await until(async () => !(await ask(projectQuery(), 'science', 'industrial-policy')).body.extensions);
});

it('purges every cache holding the record when the CDO answers corrected, so the corrected value is fetched', async () => {
  const before = await ask(schoolQuery(), 'city-analytics', 'statistics');
  expect(before.body.data.school.name).toBe(school.name);
  // The agency corrects its record; with no change event, the caches still answer the old value.
  const corrected = `${school.name}（更正）`;
  const writable = new AgencyDatabase(join(hub.dataDir, 'education.sqlite'));
  writable.run('UPDATE schools SET name = ? WHERE code = ?', [corrected, school.code]);
  writable.close();
  const stale = await ask(schoolQuery(), 'city-analytics', 'statistics');
  expect([stale.cache, stale.body.data.school.name]).toEqual(['HIT', school.name]);

  const cdo = await tokenFor('education-cdo', undefined, ['cdo:education']);
  const answer = await admin('POST', `/admin/disputes/${cliDispute}/answer`, cdo, {
    outcome: 'corrected',
    reason: 'renamed by the district in 2026; the register is updated',
    by: '王丽',
  });
  expect(answer.status).toBe(200);
  expect(answer.body.dispute).toMatchObject({
    status: 'answered',
    answer: { outcome: 'corrected', by: '王丽 (education-cdo)' },
  });
  // Applied before the answer returned: the next request is fetched again, and names only the dispute still open.
  const after = await ask(schoolQuery(), 'city-analytics', 'statistics');
  expect([after.cache, after.body.data.school.name]).toEqual(['MISS', corrected]);
  expect(after.body.extensions.disputes.map((d: { coordinate: string }) => d.coordinate)).toEqual(['School.enrolment']);

  const again = await admin('POST', `/admin/disputes/${cliDispute}/answer`, cdo, { outcome: 'confirmed', reason: 'x' });
  expect([again.status, again.body.errors[0].extensions.code]).toEqual([409, 'DISPUTE_CLOSED']);
  const cliAgain = await hubCli('dispute', 'answer', '--id', cliDispute, '--outcome', 'confirmed', '--reason', 'x');
  expect([cliAgain.code, /DISPUTE_CLOSED: .* already answered: corrected/.test(cliAgain.stderr)]).toEqual([1, true]);
  const json = JSON.parse((await hubCli('dispute', 'list', '--agency', 'education', '--json')).stdout);
  expect(json.find((d: { id: string }) => d.id === cliDispute)).toMatchObject({ status: 'answered', overdue: false });
});
