import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { as, HubProcess } from '../harness/hubProcess';
import { hubCli, hubCliOk, spawnHubCli } from '../harness/hubCli';
import { until } from '../harness/until';

// The audit trail of the running hub: one durable record per request that touched agency data,
// with the decision it ran under; `hub audit verify` checks the chain and catches an edit.

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

// With the hub's data folder, where its gateway keeps the audit witness.
const verify = () =>
  hubCli(['audit', 'verify', '--dir', auditDir], { HUB_DATA_DIR: hub.dataDir }).then((r) => ({
    code: r.code,
    output: r.stdout,
  }));

const auditReport = (...args: string[]) => hubCliOk(['audit', 'report', ...args]);

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
      const { status, headers, body } = await hub.query(
        '{ schools(first: 2) { nodes { name students(first: 1) { nodes { name grade idNumber } } } } }',
        {},
        consumer === 'public' ? {} : await as(consumer, purpose),
      );
      expect(status).toBe(200);
      sent++;
      // Records of education data the consumer received: each school, and each student with a field that came back.
      const schools = (body.data?.schools?.nodes ?? []) as { students: { nodes: Record<string, unknown>[] } | null }[];
      expectedEntities.set(
        headers.get('x-request-id')!,
        schools.length +
          schools.flatMap((s) => s.students?.nodes ?? []).filter((s) => Object.values(s).some((v) => v !== null))
            .length,
      );
    }
  }
  // Acknowledged means on disk: every answered request is already in the files.
  const written = records();
  expect(written).toHaveLength(sent);
  for (const record of written)
    expect([record.requestId, record.agencies.education.entities]).toEqual([
      record.requestId,
      expectedEntities.get(record.requestId),
    ]);
  expect(new Set(written.map((r) => r.agencies.education.entities))).toContain(4); // city-analytics: two schools, a student each (grade)
  // The operation's text is stored once, under the hash the records name.
  const operations = readFileSync(join(auditDir, 'operations.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  expect(operations).toHaveLength(1);
  expect(operations[0]).toMatchObject({
    hash: written[0].operationHash,
    text: expect.stringContaining('students(first: 1) { nodes { name grade'),
  });
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

  // The CDO's report counts exactly the requests sent, per consumer and purpose, with the records returned.
  const report = JSON.parse((await auditReport('--agency', 'education', '--format', 'json', '--dir', auditDir)).stdout);
  expect(report.requests).toBe(sent);
  expect(report.entities).toBe([...expectedEntities.values()].reduce((a, b) => a + b, 0));
  const byConsumer = Object.fromEntries(
    report.usage.map((u: { consumer: string; requests: number }) => [u.consumer, u]),
  );
  expect(Object.keys(byConsumer).sort()).toEqual(['city-analytics', 'district-haidian', 'public']);
  expect(byConsumer['district-haidian']).toMatchObject({
    purpose: 'enrollment-planning',
    requests: 10,
    partial: 10,
    grants: ['EDU-2026-001'],
  });
  expect(byConsumer['district-haidian'].fields).toContainEqual({
    field: 'Student.idNumber',
    released: 0,
    masked: 0,
    denied: 10,
  });
  expect(byConsumer['district-haidian'].fields).toContainEqual({
    field: 'Student.name',
    released: 0,
    masked: 10,
    denied: 0,
  });
  const csv = (await auditReport('--agency', 'education', '--consumer', 'public', '--format', 'csv', '--dir', auditDir))
    .stdout;
  expect(csv.split('\r\n')[0]).toBe('agency,consumer,purpose,requests,records,field,released,masked,denied');
  expect(csv).toContain('education,public,,10,');
  const table = (await auditReport('--agency', 'education', '--since', '1h', '--dir', auditDir)).stdout;
  expect(table).toMatch(new RegExp(`Usage of education's data since .*: ${sent} request\\(s\\)`));
  expect(table).toMatch(/district-haidian\s+enrollment-planning\s+Student\.idNumber\s+0\s+0\s+10/);
  // Nothing in the future window.
  expect(
    JSON.parse(
      (await auditReport('--agency', 'education', '--since', '2999-01-01', '--format', 'json', '--dir', auditDir))
        .stdout,
    ).requests,
  ).toBe(0);
});

it('hub audit tail follows records as the gateway writes them', async () => {
  // A record of science's written first: the tail shows it (its backlog of one) once it has read
  // to the end of the trail, so the record after it is one it followed as it was written.
  const science = await as('science', 'industrial-policy');
  const before = (await hub.query('query BeforeTail { districts(first: 1) { totalCount } }', {}, science)).headers.get(
    'x-request-id',
  )!;
  const trail = () =>
    readdirSync(auditDir)
      .filter((f) => f.startsWith('audit-'))
      .map((f) => readFileSync(join(auditDir, f), 'utf8'))
      .join('');
  await until(() => trail().includes(before), 10_000, 50, { what: 'the record written before the tail' });
  const tail = spawnHubCli(['audit', 'tail', '--json', '--backlog', '1', '--consumer', 'science', '--dir', auditDir]);
  try {
    let output = '';
    tail.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await until(() => output.includes(before), 30_000, 50, { what: 'hub audit tail to reach the end of the trail' });
    const { headers } = await hub.query('query TailMe { districts(first: 1) { totalCount } }', {}, science);
    await until(() => output.includes(headers.get('x-request-id')!), 10_000, 50, { what: 'the followed record' });
    const lines = output
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.requestId)).toEqual([before, headers.get('x-request-id')]);
    expect(lines[1]).toMatchObject({
      requestId: headers.get('x-request-id'),
      consumer: 'science',
      operationName: 'TailMe',
    });
  } finally {
    tail.kill('SIGINT');
  }
});

it('hub audit verify fails on a record edited by hand', async () => {
  await hub.query('{ districts(first: 1) { totalCount } }', {}, await as('science', 'industrial-policy'));
  const file = join(
    auditDir,
    readdirSync(auditDir).find((f) => f.startsWith('audit-'))!,
  );
  writeFileSync(file, readFileSync(file, 'utf8').replace('"consumer":"city-analytics"', '"consumer":"science"'));
  const result = await verify();
  expect(result.code).toBe(1);
  expect(result.output).toMatch(/was altered/);
});
