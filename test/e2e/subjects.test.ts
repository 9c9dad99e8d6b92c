import { developmentSubjectKey, subjectDigest } from '@cdo-hub/contracts';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hubCli, hubCliOk } from '../harness/hubCli';
import { launchBrowser } from '../harness/browser';
import { agencyDatabase, as, HubProcess, tokenFor } from '../harness/hubProcess';

// A person's own access log, end to end: the agencies digest the subjects of the records they
// return, the gateway writes them into the request's audit record (never into an answer).

let hub: HubProcess;
let auditDir: string;

beforeAll(async () => {
  auditDir = mkdtempSync(join(tmpdir(), 'subjects-e2e-'));
  hub = await HubProcess.start({ env: { AUDIT_DIR: auditDir } });
});

afterAll(async () => {
  await hub?.stop();
  rmSync(auditDir, { recursive: true, force: true });
});

const records = () =>
  readdirSync(auditDir)
    .filter((f) => f.startsWith('audit-'))
    .sort()
    .flatMap((f) => readFileSync(join(auditDir, f), 'utf8').split('\n').filter(Boolean))
    .map((line) => JSON.parse(line));

interface AuditedSubject {
  digest: string;
  kind: string;
  type: string;
  released: string[];
  masked: string[];
}

/** The subjects an audit record names for an agency, one per digest (the record groups them by fields released). */
function subjectsIn(record: any, agency: string): AuditedSubject[] {
  return (
    (record?.agencies[agency]?.subjects ?? []) as (Omit<AuditedSubject, 'digest'> & { digests: string[] })[]
  ).flatMap(({ digests, ...group }) => digests.map((digest) => ({ digest, ...group })));
}

/** Haidian's first school, and the ID numbers of its pupils as the roster lists them. */
function haidianSchool(): { code: string; uscc: string; pupils: string[] } {
  const db = agencyDatabase(hub.dataDir, 'education');
  try {
    const school = db.get<{ code: string; uscc: string }>(
      "SELECT code, uscc FROM schools WHERE district_code = '110108' ORDER BY code LIMIT 1",
    )!;
    const pupils = db.all<{ id_number: string }>('SELECT id_number FROM students WHERE school_code = ?', [school.code]);
    return { ...school, pupils: pupils.map((row) => row.id_number) };
  } finally {
    db.close();
  }
}

const ROSTER = '{ school(code: $code) { name students(first: 2) { nodes { name grade } } } }';

it('records the digests of the pupils whose records an answer carried, with the fields released or masked, without the consumer selecting the ID number', async () => {
  const school = haidianSchool();
  const { status, body, headers } = await hub.query(
    `query ($code: ID!) ${ROSTER}`,
    { code: school.code },
    await as('district-haidian', 'enrollment-planning'),
  );
  expect(status).toBe(200);
  expect(JSON.stringify(body)).not.toContain('cdoSubjects');
  const record = records().find((r) => r.requestId === headers.get('x-request-id'));
  const subjects = subjectsIn(record, 'education');
  const pupils = subjects.filter((s) => s.type === 'Student');
  expect(pupils).toHaveLength(body.data!.school.students.nodes.length);
  expect(pupils[0]).toMatchObject({ kind: 'person', masked: ['name'], released: ['grade'] });
  const schoolDigest = subjectDigest(developmentSubjectKey('education'), school.uscc);
  expect(subjects.find((s) => s.type === 'School')).toMatchObject({
    digest: schoolDigest,
    released: ['name', 'students'],
  });
  // Never an identifier: none of the school's pupils' ID numbers, nor its USCC.
  for (const text of [...school.pupils, school.uscc]) expect(JSON.stringify(record)).not.toContain(text);
});

it("`hub audit subject` lists who read a pupil's records — when, consumer, purpose, case, fields, grants, request — from the index", async () => {
  const school = haidianSchool();
  const { headers } = await hub.query(
    'query ($code: ID!) { school(code: $code) { students(first: 1) { nodes { grade name } } } }',
    { code: school.code },
    { ...(await as('district-haidian', 'enrollment-planning')), 'x-case-id': 'ZS-2026-0042' },
  );
  const requestId = headers.get('x-request-id')!;
  const record = records().find((r) => r.requestId === requestId);
  const digest = subjectsIn(record, 'education').find((s) => s.type === 'Student')!.digest;
  const pupil = school.pupils.find((id) => subjectDigest(developmentSubjectKey('education'), id) === digest)!;
  const { stdout } = await hubCliOk([
    'audit',
    'subject',
    '--agency',
    'education',
    '--id',
    pupil,
    '--json',
    '--dir',
    auditDir,
  ]);
  const reads = JSON.parse(stdout) as Record<string, unknown>[];
  expect(reads[0]).toMatchObject({
    consumer: 'district-haidian',
    purpose: 'enrollment-planning',
    case: 'ZS-2026-0042',
    agency: 'education',
    type: 'Student',
    released: ['grade'],
    masked: ['name'],
    grants: record.agencies.education.grants,
    requestId,
  });
  // For a terminal: one line per read.
  const text = await hubCliOk(['audit', 'subject', '--agency', 'education', '--id', pupil, '--dir', auditDir]);
  expect(text.stdout).toContain(
    `district-haidian (enrollment-planning, case ZS-2026-0042) education Student: released grade; masked name [${record.agencies.education.grants.join(' ')}] request ${requestId}`,
  );
  // The same value digested by another agency's key is another subject there.
  const elsewhere = await hubCliOk([
    'audit',
    'subject',
    '--agency',
    'science',
    '--id',
    pupil,
    '--json',
    '--dir',
    auditDir,
  ]);
  expect(JSON.parse(elsewhere.stdout)).toEqual([]);
});

it('refuses an unknown agency and a malformed ID with their catalogued codes (exit 2, nothing on stdout)', async () => {
  const lookUp = (agency: string, id: string) =>
    hubCli(['audit', 'subject', '--agency', agency, '--id', id, '--dir', auditDir]);
  const unknown = await lookUp('health', '11010519491231002X');
  expect([unknown.code, unknown.stdout]).toEqual([2, '']);
  expect(unknown.stderr).toContain('UNKNOWN_AGENCY');
  const malformed = await lookUp('education', '110105194912310021');
  expect([malformed.code, malformed.stdout]).toEqual([2, '']);
  expect(malformed.stderr).toContain('INVALID_IDENTIFIER');
});

describe('a data subject', () => {
  const subjectToken = async (id: string) => (await hubCliOk(['token', '--subject', id])).stdout.trim();
  const reads = (token?: string) =>
    fetch(new URL('/transparency/api/reads', hub.gatewayUrl), {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  /** Reads one pupil's record (name and grade) as district-haidian; the pupil's ID number and the request id. */
  async function readPupil(): Promise<{ id: string; requestId: string }> {
    const school = haidianSchool();
    const { headers } = await hub.query(
      'query ($code: ID!) { school(code: $code) { students(first: 1) { nodes { grade name } } } }',
      { code: school.code },
      await as('district-haidian', 'enrollment-planning'),
    );
    const requestId = headers.get('x-request-id')!;
    const record = records().find((r) => r.requestId === requestId);
    const digest = subjectsIn(record, 'education').find((s) => s.type === 'Student')!.digest;
    return {
      id: school.pupils.find((id) => subjectDigest(developmentSubjectKey('education'), id) === digest)!,
      requestId,
    };
  }

  it('sees who read their records through the transparency API, and nothing about other subjects', async () => {
    const { id, requestId } = await readPupil();
    const response = await reads(await subjectToken(id));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const answer = (await response.json()) as {
      subject: string;
      agencies: string[];
      reads: { requestId: string; consumer: string }[];
    };
    expect(answer.subject).toBe(`${id.slice(0, 6)}********${id.slice(-4)}`);
    expect(answer.agencies).toEqual(expect.arrayContaining(['education', 'development-reform', 'science']));
    expect(answer.reads.map((read) => read.requestId)).toContain(requestId);
    // Another pupil of the same school, never read: nothing, and not this pupil's reads.
    const other = haidianSchool().pupils.find(
      (pupil) =>
        pupil !== id &&
        !records().some((r) => JSON.stringify(r).includes(subjectDigest(developmentSubjectKey('education'), pupil))),
    )!;
    const theirs = (await (await reads(await subjectToken(other))).json()) as { reads: unknown[] };
    expect(theirs.reads).toEqual([]);
  });

  it("is refused at /graphql (not a consumer department), and a department's token is refused at the transparency API", async () => {
    const { id } = await readPupil();
    const graphql = await hub.query(
      '{ schools(first: 1) { nodes { name } } }',
      {},
      {
        authorization: `Bearer ${await subjectToken(id)}`,
      },
    );
    expect(graphql.status).toBe(403);
    expect(graphql.body.errors?.[0]?.extensions?.code).toBe('SUBJECT_NOT_A_CONSUMER');
    const department = await reads(await tokenFor('district-haidian', 'enrollment-planning'));
    expect(department.status).toBe(403);
    expect(
      ((await department.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code,
    ).toBe('SUBJECT_IDENTITY_REQUIRED');
    expect((await reads()).status).toBe(401);
    expect((await reads('not.a.token')).status).toBe(401);
  });

  it('`hub token --subject` refuses a malformed ID number (exit 2, nothing on stdout)', async () => {
    const refused = await hubCli(['token', '--subject', '110105194912310021']);
    expect([refused.code, refused.stdout]).toEqual([2, '']);
    expect(refused.stderr).toContain('INVALID_IDENTIFIER');
  });

  it('sees the same list on the /transparency page, in Chinese', async () => {
    const { id, requestId } = await readPupil();
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, locale: 'zh-CN' });
      await page.goto(new URL('/transparency', hub.gatewayUrl).toString());
      await page.getByLabel('个人令牌').fill(await subjectToken(id));
      await page.getByRole('button', { name: '查看我的查阅记录' }).click();
      const row = page.getByRole('row').filter({ hasText: requestId });
      await row.waitFor();
      const text = await row.innerText();
      expect(text).toContain('北京市教育委员会');
      expect(text).toContain('学生学籍记录');
      expect(text).toContain('enrollment-planning');
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('我的数据被谁查阅');
      await page.screenshot({
        path: join(__dirname, '..', '..', 'gateway', 'web', 'screenshots', 'transparency.png'),
        fullPage: true,
      });
    } finally {
      await browser.close();
    }
  });
});

describe('cached answers', () => {
  const subjectsOf = (requestId: string, agency: string) =>
    subjectsIn(
      records().find((r) => r.requestId === requestId),
      agency,
    );
  const asAnalyst = () => as('city-analytics', 'statistics');

  it('an answer served from the response cache records the subjects it was stored with', async () => {
    const query = '{ schools(first: 3, districtCode: "110105") { nodes { name enrolment } } }';
    const miss = await hub.query(query, {}, await asAnalyst());
    const hit = await hub.query(query, {}, await asAnalyst());
    expect([miss.headers.get('x-cache'), hit.headers.get('x-cache')]).toEqual(['MISS', 'HIT']);
    const stored = subjectsOf(miss.headers.get('x-request-id')!, 'education');
    expect(stored).toHaveLength(3);
    expect(subjectsOf(hit.headers.get('x-request-id')!, 'education')).toEqual(stored);
    expect(JSON.stringify(hit.body)).not.toContain('cdoSubjects');
  });

  it('entities served from the fetch cache (a partial hit) record their subjects beside those fetched', async () => {
    const query = (first: number) =>
      `{ schools(first: ${first}, districtCode: "110108") { nodes { code organization { name } } } }`;
    const few = await hub.query(query(2), {}, await asAnalyst());
    const more = await hub.query(query(4), {}, await asAnalyst());
    expect(more.headers.get('x-cache')).not.toBe('HIT');
    const organisations = (requestId: string) =>
      subjectsOf(requestId, 'development-reform').filter((s) => s.type === 'Organization');
    const first = organisations(few.headers.get('x-request-id')!);
    const second = organisations(more.headers.get('x-request-id')!);
    expect(first).toHaveLength(2);
    expect(second).toHaveLength(
      more.body.data!.schools.nodes.filter((n: { organization: unknown }) => n.organization).length,
    );
    expect(second).toEqual(expect.arrayContaining(first));
  });
});
