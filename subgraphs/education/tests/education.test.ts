import { buildWorld, isValidResidentId, isValidUscc } from '@cdo-hub/subgraph-kit';
import { SubgraphHarness } from '@cdo-hub/subgraph-kit/testing';
import { educationSeedPlan, educationSubgraph } from '../src';

let harness: SubgraphHarness;

beforeAll(async () => {
  harness = await SubgraphHarness.start(educationSubgraph(), educationSeedPlan('small'));
});
afterAll(() => harness.stop());

describe('education seed', () => {
  it('holds every school of the shared world, each with a valid USCC', () => {
    const world = buildWorld('small');
    const rows = harness.db.all<{ code: string; uscc: string }>('SELECT code, uscc FROM schools ORDER BY code');
    expect(rows).toHaveLength(world.schools.length);
    expect(rows.every((row) => isValidUscc(row.uscc))).toBe(true);
  });

  it('gives every student a valid resident ID number and a student number G + ID', () => {
    const rows = harness.db.all<{ student_number: string; id_number: string }>(
      'SELECT student_number, id_number FROM students',
    );
    expect(rows.length).toBeGreaterThan(1000);
    for (const row of rows) {
      expect(isValidResidentId(row.id_number)).toBe(true);
      expect(row.student_number).toBe('G' + row.id_number);
    }
  });

  it('keeps enrolment equal to the students on record', () => {
    const mismatches = harness.db.all(
      'SELECT s.code FROM schools s LEFT JOIN students st ON st.school_code = s.code GROUP BY s.code HAVING COUNT(st.student_number) != s.enrolment',
    );
    expect(mismatches).toEqual([]);
  });

  // The Development and Reform Commission seeds its school-construction projects from the same
  // list of the world's register (its tests check the same), so the two databases agree.
  it("records exactly the world register's school-construction projects, for the same schools", () => {
    const world = buildWorld('small');
    const rows = harness.db.all<{
      project_code: string;
      school_code: string;
      places_added: number;
      planned_opening_year: number;
    }>('SELECT * FROM school_construction ORDER BY project_code');
    const planned = [...world.schoolConstructionProjects].sort((a, b) => (a.code < b.code ? -1 : 1));
    expect(rows.map((row) => [row.project_code, row.school_code])).toEqual(
      planned.map((project) => [project.code, project.schoolCode]),
    );
    expect(rows.length).toBeGreaterThan(20);
    rows.forEach((row, i) => {
      const project = planned[i]!;
      expect(row.places_added % 45).toBe(0);
      expect(row.places_added > 0).toBe(project.addsPlaces);
      expect(row.planned_opening_year).toBeGreaterThan(project.year);
      expect(row.planned_opening_year).toBeLessThanOrEqual(project.year + 3);
    });
  });
});

describe('education subgraph', () => {
  it('answers a school with its students, paged by cursor', async () => {
    const school = harness.db.get<{ code: string; name: string; enrolment: number }>(
      'SELECT code, name, enrolment FROM schools ORDER BY code LIMIT 1',
    )!;
    const query = `query ($code: ID!, $after: String) { school(code: $code) { name enrolment students(first: 3, after: $after) { nodes { studentNumber grade } pageInfo { hasNextPage endCursor } totalCount } } }`;
    const first = await harness.query(query, { code: school.code });
    expect(first.errors).toBeUndefined();
    expect(first.data!.school.name).toBe(school.name);
    expect(first.data!.school.students.totalCount).toBe(school.enrolment);
    const second = await harness.query(query, {
      code: school.code,
      after: first.data!.school.students.pageInfo.endCursor,
    });
    const expected = harness.db.all<{ student_number: string }>(
      'SELECT student_number FROM students WHERE school_code = ? ORDER BY roster_key LIMIT 6',
      [school.code],
    );
    const seen = [...first.data!.school.students.nodes, ...second.data!.school.students.nodes].map(
      (s: { studentNumber: string }) => s.studentNumber,
    );
    expect(seen).toEqual(expected.map((row) => row.student_number));
  });

  it("adds each school-construction project's places and opening year, and nulls to other projects", async () => {
    const rows = harness.db.all<{ project_code: string; places_added: number; planned_opening_year: number }>(
      'SELECT * FROM school_construction ORDER BY places_added DESC, project_code LIMIT 3',
    );
    const otherProject = '2023-110105-02-03-000001';
    expect(harness.db.get('SELECT 1 FROM school_construction WHERE project_code = ?', [otherProject])).toBeUndefined();
    const result = await harness.query(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on InvestmentProject { code schoolPlacesAdded plannedOpeningYear } } }`,
      {
        reps: [
          ...rows.map((row) => ({ __typename: 'InvestmentProject', code: row.project_code })),
          { __typename: 'InvestmentProject', code: otherProject },
        ],
      },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toEqual([
      ...rows.map((row) => ({
        code: row.project_code,
        schoolPlacesAdded: row.places_added,
        plannedOpeningYear: row.planned_opening_year,
      })),
      { code: otherProject, schoolPlacesAdded: null, plannedOpeningYear: null },
    ]);
    expect(rows[0]!.places_added).toBeGreaterThan(0);

    const malformed = await harness.query(
      '{ _entities(representations: [{ __typename: "InvestmentProject", code: "2023-110105-4-01-123456" }]) { ... on InvestmentProject { schoolPlacesAdded } } }',
    );
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_IDENTIFIER', identifier: 'PROJECT_CODE' });
  });

  it("refuses a cursor issued by another list or under other filters, and takes one list's cursor for every parent", async () => {
    const code = (query: string, variables: Record<string, unknown>) =>
      harness.query(query, variables).then((r) => r.errors?.map((e) => e.extensions?.code));
    const haidian = await harness.query('{ schools(districtCode: "110108", first: 1) { pageInfo { endCursor } } }');
    const after = haidian.data!.schools.pageInfo.endCursor;
    expect(
      await code('query ($after: String) { schools(districtCode: "110108", after: $after) { totalCount } }', { after }),
    ).toBeUndefined();
    expect(
      await code('query ($after: String) { schools(districtCode: "110105", after: $after) { totalCount } }', { after }),
    ).toEqual(['INVALID_CURSOR']);
    expect(await code('query ($after: String) { schools(after: $after) { totalCount } }', { after })).toEqual([
      'INVALID_CURSOR',
    ]);
    expect(
      await code(
        'query ($after: String) { schools(districtCode: "110108", type: PRIMARY, after: $after) { totalCount } }',
        { after },
      ),
    ).toEqual(['INVALID_CURSOR']);

    const schools = harness.db
      .all<{ code: string }>('SELECT code FROM schools ORDER BY code LIMIT 3')
      .map((row) => row.code);
    const students = await harness.query(
      'query ($code: ID!) { school(code: $code) { students(first: 1) { pageInfo { endCursor } } } }',
      { code: schools[0] },
    );
    const studentCursor = students.data!.school.students.pageInfo.endCursor;
    const reps = schools.map((c) => ({ __typename: 'School', code: c }));
    // One `after` for every school of the list: each accepts it, as the sort key is compared within each school.
    const siblings = await harness.query(
      'query ($reps: [_Any!]!, $after: String) { _entities(representations: $reps) { ... on School { students(first: 2, after: $after) { totalCount } } } }',
      {
        reps,
        after: studentCursor,
      },
    );
    expect(siblings.errors).toBeUndefined();
    const teachers = await harness.query(
      'query ($reps: [_Any!]!, $after: String) { _entities(representations: $reps) { ... on School { teachers(after: $after) { totalCount } } } }',
      {
        reps,
        after: studentCursor,
      },
    );
    expect(teachers.errors?.map((e) => e.extensions?.code)).toEqual([
      'INVALID_CURSOR',
      'INVALID_CURSOR',
      'INVALID_CURSOR',
    ]);
    expect(teachers.data!._entities).toEqual([{ teachers: null }, { teachers: null }, { teachers: null }]);

    const district = await harness.query(
      'query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on District { schools(type: PRIMARY, first: 1) { pageInfo { endCursor } } } } }',
      {
        reps: [{ __typename: 'District', code: '110108' }],
      },
    );
    const districtCursor = district.data!._entities[0].schools.pageInfo.endCursor;
    const juniors = await harness.query(
      'query ($reps: [_Any!]!, $after: String) { _entities(representations: $reps) { ... on District { schools(type: JUNIOR_SECONDARY, after: $after) { totalCount } } } }',
      {
        reps: [{ __typename: 'District', code: '110108' }],
        after: districtCursor,
      },
    );
    expect(juniors.errors?.map((e) => e.extensions?.code)).toEqual(['INVALID_CURSOR']);
  });

  it('answers the other root fields when one of them fails', async () => {
    const school = harness.db.get<{ code: string; name: string }>(
      'SELECT code, name FROM schools ORDER BY code LIMIT 1',
    )!;
    const result = await harness.query(
      'query ($code: ID!) { schools(first: 1000) { totalCount } school(code: $code) { name } }',
      { code: school.code },
    );
    expect(result.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['schools'], 'PAGE_SIZE_OUT_OF_RANGE']]);
    expect(result.data).toEqual({ schools: null, school: { name: school.name } });
  });

  it('refuses malformed identifiers and cursors with catalogued codes', async () => {
    const badCode = await harness.query('{ school(code: "12345") { name } }');
    expect(badCode.errors?.[0]?.extensions?.code).toBe('INVALID_IDENTIFIER');
    const badCursor = await harness.query('{ schools(after: "bm90LWEtY3Vyc29y") { totalCount } }');
    expect(badCursor.errors?.[0]?.extensions?.code).toBe('INVALID_CURSOR');
    const tooMany = await harness.query('{ schools(first: 1000) { totalCount } }');
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('PAGE_SIZE_OUT_OF_RANGE');
  });

  it('resolves school, district and organisation references', async () => {
    const school = harness.db.get<{ code: string; uscc: string; district_code: string }>(
      'SELECT code, uscc, district_code FROM schools LIMIT 1 OFFSET 5',
    )!;
    const result = await harness.query(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) {
         ... on School { code name } ... on Organization { uscc school { code } } ... on District { code schoolCount } } }`,
      {
        reps: [
          { __typename: 'School', code: school.code },
          { __typename: 'Organization', uscc: school.uscc },
          { __typename: 'District', code: school.district_code },
        ],
      },
    );
    expect(result.errors).toBeUndefined();
    const schoolCount = harness.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM schools WHERE district_code = ?', [
      school.district_code,
    ])!.n;
    expect(result.data!._entities).toEqual([
      { code: school.code, name: expect.any(String) },
      { uscc: school.uscc, school: { code: school.code } },
      { code: school.district_code, schoolCount },
    ]);
  });
});

describe('batching', () => {
  // A query over N schools must cost the same number of SQL statements whatever N is: each
  // level (schools, their students, their counts, their teachers) is one batched statement.
  const nested = `query ($first: Int!) { schools(first: $first) { nodes { code students(first: 5) { nodes { name } totalCount } teachers(first: 2) { nodes { name } } } } }`;
  const entities = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on School { name students(first: 2) { nodes { name school { code } } } } } }`;

  it('runs a constant number of statements for 5 or 50 schools with nested lists', async () => {
    const small = await harness.countStatements(nested, { first: 5 });
    const large = await harness.countStatements(nested, { first: 50 });
    expect(small.result.errors).toBeUndefined();
    expect(large.result.data!.schools.nodes).toHaveLength(50);
    expect(large.statements).toBe(small.statements);
    expect(large.statements).toBe(4); // schools page, students pages, student counts, teachers pages
  });

  it('resolves 3 or 30 investment project references in one statement', async () => {
    const codes = harness.db
      .all<{ project_code: string }>('SELECT project_code FROM school_construction ORDER BY project_code LIMIT 30')
      .map((r) => r.project_code);
    expect(codes).toHaveLength(30);
    const query = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on InvestmentProject { schoolPlacesAdded plannedOpeningYear } } }`;
    const reps = (n: number) => codes.slice(0, n).map((code) => ({ __typename: 'InvestmentProject', code }));
    const few = await harness.countStatements(query, { reps: reps(3) });
    const many = await harness.countStatements(query, { reps: reps(30) });
    expect(many.result.errors).toBeUndefined();
    expect(many.result.data!._entities).toHaveLength(30);
    expect(few.statements).toBe(1);
    expect(many.statements).toBe(1);
  });

  it('resolves N entity references in a constant number of statements', async () => {
    const codes = harness.db
      .all<{ code: string }>('SELECT code FROM schools ORDER BY code LIMIT 60')
      .map((r) => r.code);
    const reps = (n: number) => codes.slice(0, n).map((code) => ({ __typename: 'School', code }));
    const few = await harness.countStatements(entities, { reps: reps(3) });
    const many = await harness.countStatements(entities, { reps: reps(60) });
    expect(many.result.errors).toBeUndefined();
    expect(many.result.data!._entities).toHaveLength(60);
    expect(many.statements).toBe(few.statements);
    expect(many.statements).toBe(2); // schools by code (references and students' schools share the loader), students pages
  });
});
