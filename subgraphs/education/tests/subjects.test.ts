import { developmentSubjectKey, SUBJECTS_EXTENSION, subjectDigest, type ReturnedSubject } from '@cdo-hub/contracts';
import { SubgraphHarness } from '@cdo-hub/subgraph-kit/testing';
import { educationSeedPlan, educationSubgraph } from '../src';

// The commission hands the gateway the digests of the subjects of the records it returns, out of
// band (extensions.cdoSubjects): each pupil by ID number, each school by USCC, with the fields returned.

let harness: SubgraphHarness;
const key = developmentSubjectKey('education');

beforeAll(async () => {
  harness = await SubgraphHarness.start(educationSubgraph(), educationSeedPlan('small'));
});
afterAll(() => harness.stop());

const subjectsOf = (result: object) =>
  ((result as { extensions?: Record<string, unknown> }).extensions?.[SUBJECTS_EXTENSION] ?? []) as ReturnedSubject[];

it("digests each returned pupil's ID number though the query did not select it, with the fields returned and the record's path", async () => {
  const school = harness.db.get<{ code: string; uscc: string; district_code: string }>(
    'SELECT code, uscc, district_code FROM schools ORDER BY code LIMIT 1',
  )!;
  const result = await harness.query(
    'query ($code: ID!) { school(code: $code) { name students(first: 2) { nodes { grade name } } } }',
    { code: school.code },
  );
  const pupils = harness.db.all<{ id_number: string }>('SELECT id_number FROM students WHERE school_code = ?', [
    school.code,
  ]);
  const subjects = subjectsOf(result);
  expect(subjects.find((s) => s.type === 'School')).toEqual({
    digest: subjectDigest(key, school.uscc),
    kind: 'organisation',
    type: 'School',
    fields: ['name', 'students'],
    path: ['school'],
  });
  const students = subjects.filter((s) => s.type === 'Student');
  expect(students.map((s) => s.path)).toEqual([
    ['school', 'students', 'nodes', 0],
    ['school', 'students', 'nodes', 1],
  ]);
  const digests = new Set(pupils.map((p) => subjectDigest(key, p.id_number)));
  for (const student of students) {
    expect(digests.has(student.digest)).toBe(true);
    expect(student).toMatchObject({ kind: 'person', fields: ['grade', 'name'] });
  }
  // Digests only: no identifier anywhere in the answer.
  for (const pupil of pupils) expect(JSON.stringify(result)).not.toContain(pupil.id_number);
});

it('counts an entity fetch by its place in _entities, and leaves out a field that failed (out of the grant scope)', async () => {
  const [inScope, outOfScope] = harness.db.all<{ code: string; district_code: string; uscc: string }>(
    "SELECT code, district_code, uscc FROM schools WHERE district_code IN ('110108', '110105') GROUP BY district_code ORDER BY district_code DESC",
  );
  const result = await harness.query(
    'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on School { name students(first: 1) { nodes { grade } } } } }',
    { representations: [inScope!, outOfScope!].map((s) => ({ __typename: 'School', code: s.code })) },
    {
      consumer: 'district-haidian',
      requestId: 'r1',
      purpose: 'enrollment-planning',
      scope: { fields: ['School.students'], scope: { districtCode: '110108' } },
    },
  );
  const schools = subjectsOf(result).filter((s) => s.type === 'School');
  expect(schools.map((s) => [s.path, s.fields])).toEqual([
    [
      ['_entities', 0],
      ['name', 'students'],
    ],
    [['_entities', 1], ['name']],
  ]);
  expect(schools[1]!.digest).toBe(subjectDigest(key, outOfScope!.uscc));
});

it('hands nothing over for records of no subject type', async () => {
  const result = await harness.query('{ districts(first: 2) { nodes { code schoolCount } } }');
  expect((result as { extensions?: object }).extensions).toBeUndefined();
});
