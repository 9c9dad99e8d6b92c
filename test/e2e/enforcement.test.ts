import type { AgencyDatabase } from '@cdo-hub/subgraph-kit';
import { as } from '../harness/hubProcess';
import { readOnlyHub, type ReadOnlyHub } from '../harness/sharedHub';

// Sharing policies enforced by the running gateway: every route to a withheld field yields no
// value for it. The oracle is independent of the gateway's code: the raw sensitive values are read
// from the agencies' databases and must never appear in a response body to another department.

let hub: ReadOnlyHub;
let education: AgencyDatabase;
let developmentReform: AgencyDatabase;
let sensitive: string[];
let haidianSchool: string;
let otherSchool: string;
let schoolProject: { code: string; school_code: string };

beforeAll(async () => {
  hub = await readOnlyHub();
  education = hub.database('education');
  developmentReform = hub.database('development-reform');
  haidianSchool = education.get<{ code: string }>(
    "SELECT code FROM schools WHERE district_code = '110108' AND enrolment > 3 ORDER BY code",
  )!.code;
  otherSchool = education.get<{ code: string }>(
    "SELECT code FROM schools WHERE district_code = '110105' AND enrolment > 3 ORDER BY code",
  )!.code;
  schoolProject = developmentReform.get<{ code: string; school_code: string }>(
    'SELECT code, school_code FROM investment_projects WHERE school_code IS NOT NULL ORDER BY code',
  )!;
  sensitive = [
    ...education
      .all<{ id_number: string; guardian_phone: string; student_number: string }>(
        'SELECT id_number, guardian_phone, student_number FROM students WHERE school_code IN (?, ?, ?)',
        [haidianSchool, otherSchool, schoolProject.school_code],
      )
      .flatMap((r) => [r.id_number, r.guardian_phone, r.student_number]),
    ...developmentReform
      .all<{ contact_id_number: string; contact_mobile: string }>(
        'SELECT contact_id_number, contact_mobile FROM investment_projects LIMIT 50',
      )
      .flatMap((r) => [r.contact_id_number, r.contact_mobile]),
  ];
  expect(sensitive.length).toBeGreaterThan(20);
});

afterAll(async () => {
  education?.close();
  developmentReform?.close();
  await hub?.release();
});

function expectNoSensitiveValue(body: unknown): void {
  const text = JSON.stringify(body);
  for (const value of sensitive) expect(text).not.toContain(value);
}

const codesOf = (body: { errors?: { extensions?: Record<string, any> }[] }) =>
  (body.errors ?? []).map((e) => e.extensions?.code);

describe('every route to a NOT_SHARED field yields no value', () => {
  const routes: [string, string, Record<string, unknown>][] = [
    ['direct', '{ school(code: "$S") { students(first: 50) { nodes { idNumber guardianPhone studentNumber } } } }', {}],
    [
      'aliases',
      '{ s: school(code: "$S") { kids: students(first: 50) { list: nodes { a: idNumber b: guardianPhone c: studentNumber } } } }',
      {},
    ],
    [
      'named fragments, nested',
      'query { school(code: "$S") { ...Roster } } fragment Roster on School { students(first: 50) { nodes { ...Ids } } } fragment Ids on Student { idNumber ...More } fragment More on Student { guardianPhone studentNumber }',
      {},
    ],
    [
      'inline fragments',
      '{ school(code: "$S") { ... on School { students(first: 50) { nodes { ... on Student { idNumber guardianPhone } ... { studentNumber } } } } } }',
      {},
    ],
    [
      'variables with @include',
      'query ($yes: Boolean!, $no: Boolean!) { school(code: "$S") { students(first: 50) { nodes { idNumber @include(if: $yes) guardianPhone @skip(if: $no) studentNumber } } } }',
      { yes: true, no: false },
    ],
    [
      'through another agency’s types',
      '{ investmentProject(code: "$P") { contactIdNumber contactMobile school { students(first: 50) { nodes { idNumber guardianPhone } } } } }',
      {},
    ],
  ];

  it.each(routes)('%s', async (_, template, variables) => {
    const query = template.replace('$S', haidianSchool).replace('$P', schoolProject.code);
    for (const [consumer, purpose] of [
      ['district-haidian', 'enrollment-planning'],
      ['city-analytics', 'statistics'],
      ['science', 'industrial-policy'],
      ['public', undefined],
    ] as const) {
      const { status, body } = await hub.query(
        query,
        variables,
        consumer === 'public' ? {} : await as(consumer, purpose),
      );
      expect(status).toBe(200);
      expectNoSensitiveValue(body);
      // Withheld as NOT_SHARED, or further up because the consumer holds no grant for the roster.
      expect(codesOf(body).some((code) => code === 'FIELD_NOT_SHARED' || code === 'GRANT_REQUIRED')).toBe(true);
    }
  });

  it('in a batched request, operation by operation', async () => {
    const response = await fetch(hub.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await as('district-haidian', 'enrollment-planning')) },
      body: JSON.stringify([
        { query: `{ school(code: "${haidianSchool}") { students(first: 50) { nodes { idNumber } } } }` },
        { query: `{ investmentProject(code: "${schoolProject.code}") { contactIdNumber } }` },
      ]),
    });
    const body = (await response.json()) as { errors?: { extensions?: Record<string, any> }[] }[];
    expect(body).toHaveLength(2);
    expectNoSensitiveValue(body);
    for (const result of body) expect(codesOf(result)).toContain('FIELD_NOT_SHARED');
  });

  it('while the owning agency reads its own fields in full', async () => {
    const { body } = await hub.query(
      `{ school(code: "${haidianSchool}") { students(first: 1) { nodes { idNumber } } } }`,
      {},
      await as('education', 'operations'),
    );
    const expected = education.get<{ id_number: string }>(
      'SELECT id_number FROM students WHERE school_code = ? ORDER BY roster_key',
      [haidianSchool],
    )!;
    expect(body.data!.school.students.nodes[0].idNumber).toBe(expected.id_number);
  });
});

describe('conditional fields under grants', () => {
  it('releases names masked to district-haidian for enrolment planning, in Haidian only', async () => {
    const { body } = await hub.query(
      `{ haidian: school(code: "${haidianSchool}") { students(first: 5) { nodes { name grade } } } }`,
      {},
      await as('district-haidian', 'enrollment-planning'),
    );
    expect(body.errors).toBeUndefined();
    const rows = education.all<{ name: string; grade: number }>(
      'SELECT name, grade FROM students WHERE school_code = ? ORDER BY roster_key LIMIT 5',
      [haidianSchool],
    );
    expect(body.data!.haidian.students.nodes).toEqual(
      rows.map((r) => ({ name: [...r.name][0] + '*'.repeat([...r.name].length - 1), grade: r.grade })),
    );
    for (const row of rows) expect(JSON.stringify(body)).not.toContain(row.name);
  });

  it('applies the grant’s row scope where the data lives: no roster outside Haidian', async () => {
    const { body } = await hub.query(
      `{ haidian: school(code: "${haidianSchool}") { students(first: 2) { totalCount } } chaoyang: school(code: "${otherSchool}") { name students(first: 2) { totalCount nodes { name } } } }`,
      {},
      await as('district-haidian', 'enrollment-planning'),
    );
    expect(body.data!.haidian.students.totalCount).toBeGreaterThan(0);
    expect(body.data!.chaoyang.name).toEqual(expect.any(String));
    expect(body.data!.chaoyang.students).toBeNull();
    expect(body.errors).toEqual([
      expect.objectContaining({
        path: ['chaoyang', 'students'],
        extensions: expect.objectContaining({
          code: 'OUT_OF_SCOPE',
          coordinate: 'School.students',
          scope: { districtCode: '110108' },
          paths: ['chaoyang.students'],
        }),
      }),
    ]);
  });

  it('reports a row scope once per coordinate across a list', async () => {
    const { body } = await hub.query(
      '{ schools(first: 30) { nodes { students(first: 1) { totalCount } } } }',
      {},
      await as('district-haidian', 'enrollment-planning'),
    );
    const scopeErrors = (body.errors ?? []).filter((e) => e.extensions?.code === 'OUT_OF_SCOPE');
    expect(scopeErrors).toHaveLength(1);
    expect(scopeErrors[0]!.extensions).toMatchObject({
      coordinate: 'School.students',
      paths: ['schools.nodes.students'],
    });
    const nodes = body.data!.schools.nodes as { students: { totalCount: number } | null }[];
    expect(nodes.some((n) => n.students === null)).toBe(true);
    expect(nodes.some((n) => n.students !== null)).toBe(true);
  });

  it('says which purpose the grant covers when another is stated', async () => {
    const { body } = await hub.query(
      `{ school(code: "${haidianSchool}") { name students(first: 5) { nodes { name } } } }`,
      {},
      await as('district-haidian', 'planning'),
    );
    expect(body.data!.school.name).toEqual(expect.any(String));
    expect(body.data!.school.students).toBeNull();
    // Errors are reported where a field was withheld; the names below the withheld roster are never reached.
    expect(body.errors).toEqual([
      expect.objectContaining({
        extensions: expect.objectContaining({
          code: 'PURPOSE_NOT_GRANTED',
          agency: 'education',
          coordinate: 'School.students',
          paths: ['school.students'],
          grant: 'EDU-2026-001',
        }),
      }),
    ]);
  });

  it('groups errors per coordinate, not per list item', async () => {
    const { body } = await hub.query(
      `{ schools(first: 20) { nodes { students(first: 20) { nodes { idNumber } } } } }`,
      {},
      await as('city-analytics', 'statistics'),
    );
    const idErrors = (body.errors ?? []).filter((e) => e.extensions?.coordinate === 'Student.idNumber');
    expect(idErrors).toHaveLength(1);
    expect(idErrors[0]!.extensions).toMatchObject({
      code: 'FIELD_NOT_SHARED',
      agency: 'education',
      paths: ['schools.nodes.students.nodes.idNumber'],
    });
  });

  it('requires a grant for conditional fields', async () => {
    const { body } = await hub.query(
      `{ school(code: "${haidianSchool}") { students(first: 2) { totalCount } } }`,
      {},
      await as('science', 'industrial-policy'),
    );
    expect(body.data!.school.students).toBeNull();
    expect(codesOf(body)).toEqual(['GRANT_REQUIRED']);
  });
});

describe('identity', () => {
  it('treats a request without a token as the public, who reads open data only', async () => {
    const { body } = await hub.query(
      `{ school(code: "${haidianSchool}") { name address students(first: 1) { nodes { name } } } }`,
    );
    expect(body.data!.school.name).toEqual(expect.any(String));
    // The roster is CONDITIONAL, and only UNCONDITIONAL data can be open data.
    expect(body.data!.school.students).toBeNull();
    expect(codesOf(body)).toEqual(['FIELD_NOT_SHARED']);
  });

  it('refuses bad tokens and purposes with catalogued codes and statuses', async () => {
    const bad = await hub.query('{ __typename }', {}, { authorization: 'Bearer abc.def.ghi' });
    expect([bad.status, codesOf(bad.body)]).toEqual([401, ['INVALID_TOKEN']]);
    const noPurpose = await hub.query('{ __typename }', {}, await as('science'));
    expect([noPurpose.status, codesOf(noPurpose.body)]).toEqual([400, ['PURPOSE_REQUIRED']]);
    const wrongPurpose = await hub.query('{ __typename }', {}, await as('science', 'statistics'));
    expect([wrongPurpose.status, codesOf(wrongPurpose.body)]).toEqual([403, ['PURPOSE_NOT_REGISTERED']]);
  });
});

describe('introspection shows each consumer its own schema', () => {
  const studentFields = async (headers: Record<string, string>) => {
    const { body } = await hub.query('{ __type(name: "Student") { fields { name } } }', {}, headers);
    return (body.data!.__type?.fields ?? []).map((f: { name: string }) => f.name).sort();
  };

  it('lists only readable fields', async () => {
    expect(await studentFields(await as('district-haidian', 'enrollment-planning'))).toEqual(['grade', 'name']);
    expect(await studentFields(await as('science', 'industrial-policy'))).toEqual([]);
    expect(await studentFields(await as('education', 'operations'))).toContain('idNumber');
    const { body } = await hub.query(
      '{ __schema { types { name fields { name } } } }',
      {},
      await as('city-analytics', 'statistics'),
    );
    expect(JSON.stringify(body)).not.toMatch(
      /idNumber|guardianPhone|contactIdNumber|principalInvestigatorPhone|costAuditAmount/,
    );
  });

  it('does not suggest hidden field names in validation errors', async () => {
    const { status, body } = await hub.query(
      `{ school(code: "${haidianSchool}") { students { nodes { idNumbr } } } }`,
      {},
      await as('science', 'industrial-policy'),
    );
    expect(status).toBe(400);
    expect(JSON.stringify(body)).not.toMatch(/Did you mean|idNumber/);
  });

  it('refuses introspection mixed with data', async () => {
    const { body } = await hub.query(
      '{ __schema { queryType { name } } districts { totalCount } }',
      {},
      await as('science', 'industrial-policy'),
    );
    expect(codesOf(body)).toEqual(['INTROSPECTION_NOT_ALONE']);
  });
});
