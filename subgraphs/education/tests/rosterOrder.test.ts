import { AgencyDatabase, installChangeCapture } from '@cdo-hub/subgraph-kit';
import { SubgraphHarness } from '@cdo-hub/subgraph-kit/testing';
import { EDUCATION_CHANGES, educationSeedPlan, educationSubgraph, migrateEducationDatabase } from '../src';

// A list's order is a read: a roster in student-number order (G + the pupil's resident ID number)
// tells birthplace and birth date to a consumer who may read neither, and every cursor into it
// carries a position in that order. Rosters and staff lists are ordered by a random roster key.

type Roster = { nodes: { studentNumber: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

/** A school's whole roster as a consumer pages it, 20 at a time. */
async function pageRoster(harness: SubgraphHarness, code: string): Promise<string[]> {
  const seen: string[] = [];
  let after: string | null = null;
  do {
    const page: { data?: { school: { students: Roster } } | null; errors?: unknown[] } = await harness.query(
      'query ($code: ID!, $after: String) { school(code: $code) { students(first: 20, after: $after) { nodes { studentNumber } pageInfo { hasNextPage endCursor } } } }',
      { code, after },
    );
    expect(page.errors).toBeUndefined();
    const students = page.data!.school.students;
    seen.push(...students.nodes.map((node) => node.studentNumber));
    after = students.pageInfo.hasNextPage ? students.pageInfo.endCursor : null;
  } while (after);
  return seen;
}

describe('roster order', () => {
  let harness: SubgraphHarness;
  beforeAll(async () => {
    harness = await SubgraphHarness.start(educationSubgraph(), educationSeedPlan('small'));
  });
  afterAll(() => harness.stop());

  it('pages a roster in roster-key order, which is not ID-number order', async () => {
    const schools = harness.db.all<{ code: string }>(
      'SELECT school_code AS code FROM students GROUP BY school_code HAVING COUNT(*) >= 10 ORDER BY school_code LIMIT 12',
    );
    expect(schools.length).toBe(12);
    for (const { code } of schools) {
      const roster = await pageRoster(harness, code);
      const byKey = harness.db
        .all<{ student_number: string }>(
          'SELECT student_number FROM students WHERE school_code = ? ORDER BY roster_key',
          [code],
        )
        .map((r) => r.student_number);
      expect(roster).toEqual(byKey);
      // Ten or more pupils in ID order by chance: less than one in 3.6 million.
      expect(roster).not.toEqual([...roster].sort());
    }
  });

  it('draws roster keys at random, unique per school, for every pupil and teacher — unrelated to ID or staff numbers', () => {
    for (const table of ['students', 'teachers']) {
      const keys = harness.db.all<{ roster_key: string; school_code: string }>(
        `SELECT roster_key, school_code FROM ${table}`,
      );
      expect(keys.length).toBeGreaterThan(300);
      expect(keys.every((row) => /^[0-9a-f]{16}$/.test(row.roster_key))).toBe(true);
      expect(new Set(keys.map((row) => `${row.school_code}|${row.roster_key}`)).size).toBe(keys.length);
    }
    // Over all pupils, rank by roster key against rank by ID number: no correlation to speak of.
    const pupils = harness.db.all<{ roster_key: string; id_number: string }>(
      'SELECT roster_key, id_number FROM students',
    );
    const rank = (values: string[]) => new Map([...values].sort().map((value, i) => [value, i]));
    const keyRank = rank(pupils.map((p) => p.roster_key));
    const idRank = rank(pupils.map((p) => p.id_number));
    const n = pupils.length;
    const d2 = pupils.reduce((sum, p) => sum + (keyRank.get(p.roster_key)! - idRank.get(p.id_number)!) ** 2, 0);
    const spearman = 1 - (6 * d2) / (n * (n * n - 1));
    expect(Math.abs(spearman)).toBeLessThan(0.1);
  });

  it('orders staff lists by roster key, not staff number', async () => {
    const school = harness.db.get<{ code: string }>(
      'SELECT school_code AS code FROM teachers GROUP BY school_code HAVING COUNT(*) >= 6 ORDER BY school_code LIMIT 1',
    )!;
    const result = await harness.query(
      'query ($code: ID!) { school(code: $code) { teachers(first: 100) { nodes { staffNumber } } } }',
      { code: school.code },
    );
    const staff = result.data!.school.teachers.nodes.map((node: { staffNumber: string }) => node.staffNumber);
    expect(staff).toEqual(
      harness.db
        .all<{ staff_number: string }>('SELECT staff_number FROM teachers WHERE school_code = ? ORDER BY roster_key', [
          school.code,
        ])
        .map((r) => r.staff_number),
    );
    expect(staff).not.toEqual([...staff].sort());
  });

  it('gives the same keys to the same rows on every seed (deterministic), and a row added later a key of its own', () => {
    const first = harness.db.all<{ student_number: string; roster_key: string }>(
      'SELECT student_number, roster_key FROM students ORDER BY student_number LIMIT 50',
    );
    const school = harness.db.get<{ code: string }>('SELECT code FROM schools ORDER BY code LIMIT 1')!;
    harness.db.run(
      `INSERT INTO students (student_number, school_code, name, id_number, gender, birth_date, grade, guardian_name, guardian_phone, health_status, financial_aid, migrant)
       VALUES ('GTEST', ?, '测试', 'TEST', 'MALE', '2019-01-01', 1, '测试', '13800000000', 'HEALTHY', 0, 0)`,
      [school.code],
    );
    expect(
      harness.db.get<{ roster_key: string }>("SELECT roster_key FROM students WHERE student_number = 'GTEST'")!
        .roster_key,
    ).toMatch(/^[0-9a-f]{16}$/);
    harness.db.run("DELETE FROM students WHERE student_number = 'GTEST'");
    return SubgraphHarness.start(educationSubgraph(), educationSeedPlan('small')).then(async (again) => {
      try {
        expect(
          again.db.all('SELECT student_number, roster_key FROM students ORDER BY student_number LIMIT 50'),
        ).toEqual(first);
      } finally {
        await again.stop();
      }
    });
  });
});

/**
 * Turns a freshly seeded file into what the previous seed built: no roster keys, the old
 * student-number and staff-number indexes, and change capture installed (its triggers live in
 * the file).
 */
function asBuiltByTheOldSeed(file: string): void {
  const db = new AgencyDatabase(file);
  try {
    db.raw.exec(`DROP INDEX students_in_roster_order; DROP INDEX teachers_in_roster_order;
      ALTER TABLE students DROP COLUMN roster_key; ALTER TABLE teachers DROP COLUMN roster_key;
      CREATE INDEX students_by_school ON students (school_code, student_number);
      CREATE INDEX teachers_by_school ON teachers (school_code, staff_number);`);
    installChangeCapture(db, EDUCATION_CHANGES);
  } finally {
    db.close();
  }
}

describe('a database seeded before roster keys', () => {
  let before: { students: unknown[]; teachers: unknown[]; triggers: unknown[] };
  let harness: SubgraphHarness;
  const snapshot = (db: AgencyDatabase) => ({
    students: db.all(
      'SELECT student_number, school_code, name, id_number, gender, birth_date, grade, guardian_name, guardian_phone, health_status, financial_aid, migrant FROM students ORDER BY student_number',
    ),
    teachers: db.all(
      'SELECT staff_number, school_code, name, subject, qualification, title FROM teachers ORDER BY staff_number',
    ),
    triggers: db.all(
      "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'hub_capture_%' ORDER BY name",
    ),
  });

  beforeAll(async () => {
    harness = await SubgraphHarness.start(educationSubgraph(), educationSeedPlan('small'), {
      beforeOpen: (file) => {
        asBuiltByTheOldSeed(file);
        const db = new AgencyDatabase(file, { readonly: true });
        before = snapshot(db);
        db.close();
      },
    });
  });
  afterAll(() => harness.stop());

  it('gains roster keys on open, loses no row, and publishes no change for them', () => {
    const after = snapshot(harness.db);
    expect(after).toEqual(before);
    expect(before.students.length).toBeGreaterThan(1000);
    expect(before.triggers.length).toBeGreaterThan(0);
    for (const table of ['students', 'teachers']) {
      const keys = harness.db.all<{ roster_key: string | null; school_code: string }>(
        `SELECT roster_key, school_code FROM ${table}`,
      );
      expect(keys.every((row) => row.roster_key !== null && /^[0-9a-f]{16}$/.test(row.roster_key))).toBe(true);
      expect(new Set(keys.map((row) => `${row.school_code}|${row.roster_key}`)).size).toBe(keys.length);
    }
    expect(harness.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM hub_changes')!.n).toBe(0);
    const indexes = harness.db
      .all<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' AND tbl_name IN ('students', 'teachers') ORDER BY name",
      )
      .map((r) => r.name);
    expect(indexes).toEqual(['students_in_roster_order', 'teachers_in_roster_order']);
  });

  it('serves the roster in roster-key order, keys rows added later, and migrates only once', async () => {
    const school = harness.db.get<{ code: string }>(
      'SELECT school_code AS code FROM students GROUP BY school_code HAVING COUNT(*) >= 25 LIMIT 1',
    )!;
    const roster = await pageRoster(harness, school.code);
    expect(roster).toEqual(
      harness.db
        .all<{ student_number: string }>(
          'SELECT student_number FROM students WHERE school_code = ? ORDER BY roster_key',
          [school.code],
        )
        .map((r) => r.student_number),
    );
    expect(roster).not.toEqual([...roster].sort());
    harness.db.run(
      "INSERT INTO teachers (staff_number, school_code, name, subject, qualification, title) VALUES ('TTEST', ?, '测试', '数学', '小学教师资格', '一级教师')",
      [school.code],
    );
    expect(
      harness.db.get<{ roster_key: string }>("SELECT roster_key FROM teachers WHERE staff_number = 'TTEST'")!
        .roster_key,
    ).toMatch(/^[0-9a-f]{16}$/);
    const keys = harness.db.all('SELECT staff_number, roster_key FROM teachers ORDER BY staff_number');
    migrateEducationDatabase(harness.db);
    expect(harness.db.all('SELECT staff_number, roster_key FROM teachers ORDER BY staff_number')).toEqual(keys);
  });
});
