import { developmentSubjectKey, subjectDigest } from '@cdo-hub/contracts';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agencyDatabase, as, HubProcess } from '../harness/hubProcess';

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

const ROSTER = '{ school(code: $code) { name students(first: 2) { nodes { name grade } } } }';

it('records the digests of the pupils whose records an answer carried, with the fields released or masked, without the consumer selecting the ID number', async () => {
  const db = agencyDatabase(hub.dataDir, 'education');
  const school = db.get<{ code: string; uscc: string }>(
    "SELECT code, uscc FROM schools WHERE district_code = '110108' ORDER BY code LIMIT 1",
  )!;
  db.close();
  const { status, body, headers } = await hub.query(
    `query ($code: ID!) ${ROSTER}`,
    { code: school.code },
    await as('district-haidian', 'enrollment-planning'),
  );
  expect(status).toBe(200);
  expect(JSON.stringify(body)).not.toContain('cdoSubjects');
  const record = records().find((r) => r.requestId === headers.get('x-request-id'));
  const subjects = record.agencies.education.subjects as {
    digest: string;
    type: string;
    released: string[];
    masked: string[];
  }[];
  const pupils = subjects.filter((s) => s.type === 'Student');
  expect(pupils).toHaveLength(body.data.school.students.nodes.length);
  expect(pupils[0]).toMatchObject({ kind: 'person', masked: ['name'], released: ['grade'] });
  const schoolDigest = subjectDigest(developmentSubjectKey('education'), school.uscc);
  expect(subjects.find((s) => s.type === 'School')).toMatchObject({
    digest: schoolDigest,
    released: ['name', 'students'],
  });
  expect(JSON.stringify(record)).not.toMatch(/\d{17}[\dX]/);
});
