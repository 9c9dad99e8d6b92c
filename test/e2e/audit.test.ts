import { repoRoot } from '@cdo-hub/subgraph-kit';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { as, HubProcess, TEST_SECRETS } from '../harness/hubProcess';

// The audit trail of the running hub: one durable record per request that touched agency data,
// with the decision it ran under; `hub audit verify` checks the chain and catches an edit.

const run = promisify(execFile);
let hub: HubProcess;
let auditDir: string;

beforeAll(async () => {
  auditDir = mkdtempSync(join(tmpdir(), 'audit-e2e-'));
  hub = await HubProcess.start({ env: { AUDIT_DIR: auditDir } });
});

afterAll(async () => {
  await hub?.stop();
  rmSync(auditDir, { recursive: true, force: true });
});

const verify = () =>
  run(process.execPath, [join(repoRoot(), 'scripts', 'bin', 'hub.js'), 'audit', 'verify', '--dir', auditDir], { env: { ...process.env, ...TEST_SECRETS } }).then(
    (r) => ({ code: 0, output: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, output: e.stdout }),
  );

const records = () =>
  readdirSync(auditDir)
    .filter((f) => f.startsWith('audit-'))
    .sort()
    .flatMap((f) => readFileSync(join(auditDir, f), 'utf8').split('\n').filter(Boolean))
    .map((line) => JSON.parse(line));

it('records every request with the consumer, purpose, grants and per-agency decisions, durably before responding', async () => {
  const requests: [string, string | undefined][] = [
    ['district-haidian', 'enrollment-planning'],
    ['city-analytics', 'statistics'],
    ['public', undefined],
  ];
  let sent = 0;
  const expectedEntities = new Map<string, number>();
  for (let i = 0; i < 10; i++) {
    for (const [consumer, purpose] of requests) {
      const { status, headers, body } = await hub.query('{ schools(first: 2) { nodes { name students(first: 1) { nodes { name grade idNumber } } } } }', {}, consumer === 'public' ? {} : await as(consumer, purpose));
      expect(status).toBe(200);
      sent++;
      // Records of education data the consumer received: each school, and each student with a field that came back.
      const schools = (body.data?.schools?.nodes ?? []) as { students: { nodes: Record<string, unknown>[] } | null }[];
      expectedEntities.set(headers.get('x-request-id')!, schools.length + schools.flatMap((s) => s.students?.nodes ?? []).filter((s) => Object.values(s).some((v) => v !== null)).length);
    }
  }
  // Acknowledged means on disk: every answered request is already in the files.
  const written = records();
  expect(written).toHaveLength(sent);
  for (const record of written) expect([record.requestId, record.agencies.education.entities]).toEqual([record.requestId, expectedEntities.get(record.requestId)]);
  expect(new Set(written.map((r) => r.agencies.education.entities))).toContain(4); // city-analytics: two schools, a student each (grade)
  // The operation's text is stored once, under the hash the records name.
  const operations = readFileSync(join(auditDir, 'operations.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  expect(operations).toHaveLength(1);
  expect(operations[0]).toMatchObject({ hash: written[0].operationHash, text: expect.stringContaining('students(first: 1) { nodes { name grade') });
  const haidian = written.find((r) => r.consumer === 'district-haidian');
  expect(haidian).toMatchObject({ purpose: 'enrollment-planning', grants: ['EDU-2026-001'], outcome: 'partial' });
  expect(haidian.agencies.education).toMatchObject({ masked: ['Student.name'], denied: ['Student.idNumber'] });
  expect(haidian.agencies.education.released).toContain('School.name');
  // Never a data value: no student's identity number or name is in the trail.
  const education = hub.database('education');
  const students = education.all<{ id_number: string; name: string }>('SELECT id_number, name FROM students');
  education.close();
  const text = JSON.stringify(written);
  expect(students.filter((s) => text.includes(s.id_number) || text.includes(`"${s.name}"`))).toEqual([]);
  expect(await verify()).toMatchObject({ code: 0, output: expect.stringMatching(`audit trail OK: ${sent} records`) });
});

it('hub audit verify fails on a record edited by hand', async () => {
  await hub.query('{ districts(first: 1) { totalCount } }', {}, await as('science', 'industrial-policy'));
  const file = join(auditDir, readdirSync(auditDir).find((f) => f.startsWith('audit-'))!);
  writeFileSync(file, readFileSync(file, 'utf8').replace('"consumer":"city-analytics"', '"consumer":"science"'));
  const result = await verify();
  expect(result.code).toBe(1);
  expect(result.output).toMatch(/was altered/);
});
