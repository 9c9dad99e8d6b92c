import { compileTestPolicies, TEST_POLICY_YAML, TEST_SUBGRAPH_SDL } from './argumentsGraph.test-helpers';
import type { PolicyProblem } from './compilePolicies';
import { compileYaml, fixturePolicies, shippedPolicies } from './policyFixtures.test-helpers';

// How a policy classes arguments (`types.<Type>.arguments`) and how grants name them: each
// problem with its file and line, like field rules.
const errorsOf = (yaml: string) => compileTestPolicies(yaml).problems.filter((p) => p.severity === 'error');
const withArguments = (entries: string) =>
  TEST_POLICY_YAML.replace(
    '      seniorStudents(fromGrade): { over: Student.grade }\n',
    `      seniorStudents(fromGrade): { over: Student.grade }\n${entries}`,
  );
const lineOf = (yaml: string, text: string) => yaml.split('\n').findIndex((line) => line.includes(text)) + 1;

describe('argument rules in a policy', () => {
  it('compiles the test policy without problems, explicit and inferred alike', () => {
    const { policySet, problems } = compileTestPolicies();
    expect(problems).toEqual([]);
    expect(policySet!.argumentRules.get('Query.students(grade)')!.value).toMatchObject({
      kind: 'classed',
      classifications: [{ agency: 'education', sharingClass: 'CONDITIONAL', level: 'L3' }],
    });
    expect(policySet!.argumentRules.get('Query.seniorStudents(fromGrade)')).toMatchObject({
      value: { kind: 'over', over: ['Student.grade'], origin: 'policy' },
      readsDefault: true,
    });
    expect(policySet!.argumentRules.get('Query.students(healthStatus)')!.value).toMatchObject({
      kind: 'over',
      over: ['Student.healthStatus'],
      origin: 'inferred',
    });
    expect(policySet!.decisiveArguments('Query.students').map((r) => r.argument)).toEqual([
      'orderBy',
      'healthStatus',
      'grade',
      'schoolCode',
    ]);
  });

  it('refuses unknown fields and arguments, with a suggestion and the line', () => {
    const yaml = withArguments(
      '      studnts(grade): { over: Student.grade }\n      students(grde): { over: Student.grade }\n      students: { over: Student.grade }\n',
    );
    expect(errorsOf(yaml).map((e) => [e.location.line, e.message, e.hint])).toEqual([
      [lineOf(yaml, 'studnts(grade)'), 'unknown field "Query.studnts"', 'did you mean "students(grade)"?'],
      [lineOf(yaml, 'students(grde)'), 'unknown argument "Query.students(grde)"', 'did you mean "students(grade)"?'],
      [
        lineOf(yaml, 'students: { over'),
        '"students" is not an argument',
        'write field(argument), e.g. students(healthStatus)',
      ],
    ]);
  });

  it('needs either over or a class, never both, and a known field to be over', () => {
    const yaml = withArguments(
      '      students(orderBy): { over: Student.name, class: CONDITIONAL, level: L3 }\n      students(schoolCode): { note: nothing }\n      students(healthStatus): { over: Student.helth }\n      studentByIdNumber(idNumber): { class: NOT_SHARED, level: L4 }\n',
    );
    expect(errorsOf(yaml).map((e) => e.message)).toEqual([
      'Query.students(orderBy) has both over and a class',
      'Query.students(schoolCode) has neither over nor a class',
      'Query.students(healthStatus) is over unknown field "Student.helth"',
      'Query.studentByIdNumber(idNumber) is NOT_SHARED without a legal basis',
    ]);
    expect(errorsOf(withArguments('      students(healthStatus): { over: Student.healthStats }\n'))[0]!.hint).toBe(
      'did you mean "Student.healthStatus"?',
    );
  });

  it('refuses an over that is not a field coordinate, from the policy file schema', () => {
    expect(errorsOf(withArguments('      students(orderBy): { over: "Student" }\n'))[0]!.message).toMatch(
      /write Type\.field/,
    );
  });

  it('warns when defaultCompares is said of an argument without a default', () => {
    const warnings = compileTestPolicies(
      withArguments('      students(healthStatus): { over: Student.healthStatus, defaultCompares: false }\n'),
    ).problems.filter((p) => p.severity === 'warning');
    expect(warnings.map((w) => w.message)).toEqual([
      'Query.students(healthStatus) has no default value, so defaultCompares says nothing',
    ]);
  });

  it('lets only the agency resolving a field class its arguments', () => {
    const errors = compileYaml({
      ...fixturePolicies(),
      'science.yaml': fixturePolicies()['science.yaml']!.replace(
        '    arguments:\n      # validOnly',
        '    arguments:\n      schools(type): { over: School.type }\n      # validOnly',
      ),
    }).problems.filter((p) => p.severity === 'error');
    expect(errors.map((e) => e.message)).toEqual(['Query.schools is resolved by education, not science']);
  });
});

describe('grants naming arguments', () => {
  const grant = (field: string) =>
    TEST_POLICY_YAML.replace('      - Query.students(grade)\n', `      - Query.students(grade)\n      - ${field}\n`);

  it('release an argument its agency classes CONDITIONAL, by name only', () => {
    const { policySet } = compileTestPolicies();
    expect(policySet!.grantsFor('city-analytics', 'Query.students(grade)').map((g) => g.id)).toEqual(['TEST-1']);
    // A wildcard grants a type's fields, never its arguments.
    const wildcard = compileTestPolicies(
      TEST_POLICY_YAML.replace('      - Query.students(grade)\n', '      - Query.*\n'),
    ).policySet!;
    expect(wildcard.grantsFor('city-analytics', 'Query.students(grade)')).toEqual([]);
    expect(wildcard.grantsFor('city-analytics', 'Query.students').map((g) => g.id)).toEqual(['TEST-1']);
  });

  it('refuse an argument over a value, one with no class of its own, an unknown one and a masked one', () => {
    const messages = (field: string) => errorsOf(grant(field)).map((e) => [e.message, e.hint]);
    expect(messages('Query.students(healthStatus)')).toEqual([
      [
        'grant "TEST-1" names Query.students(healthStatus): it compares against Student.healthStatus and is released with it',
        'grant Student.healthStatus instead',
      ],
    ]);
    expect(messages('Query.districts(near)')).toEqual([
      [
        'grant "TEST-1" names Query.districts(near): it has no class of its own (it takes the class of Query.districts)',
        'grant Query.districts, or class the argument under arguments: in the policy',
      ],
    ]);
    expect(messages('Query.students(grd)')).toEqual([
      ['grant "TEST-1" names unknown argument "Query.students(grd)"', 'did you mean "Query.students(grade)"?'],
    ]);
    expect(messages('"Query.students(grade)": name')).toEqual([
      [
        'Query.students(grade) is an argument: it compares values in clear and cannot be masked',
        'grant it plainly, or not at all',
      ],
    ]);
  });

  it('refuse a NOT_SHARED argument and warn about an UNCONDITIONAL one', () => {
    const classed = (rule: string) =>
      grant('Query.students(orderBy)').replace(
        '      seniorStudents(fromGrade)',
        `      students(orderBy): ${rule}\n      seniorStudents(fromGrade)`,
      );
    expect(errorsOf(classed('{ class: NOT_SHARED, level: L4, legalBasis: law }'))[0]!.message).toBe(
      'grant "TEST-1" names Query.students(orderBy): education classes it NOT_SHARED (law)',
    );
    const warnings = compileTestPolicies(classed('{ class: UNCONDITIONAL, level: L1 }')).problems.filter(
      (p) => p.severity === 'warning',
    );
    expect(warnings.map((w) => w.message)).toEqual([
      'grant "TEST-1" names Query.students(orderBy): it is UNCONDITIONAL already',
    ]);
  });
});

describe('arguments inference places, and the ones it cannot', () => {
  const valueOf = (coordinate: string, yaml?: string) =>
    compileTestPolicies(yaml).policySet!.argumentRules.get(coordinate)!.value;
  const inferred = (...over: string[]) => ({ kind: 'over', over, origin: 'inferred' });
  // A variant of the test graph's SDL: the policy is the test policy unless given.
  const compileVariant = (edit: (sdl: string) => string, yaml = TEST_POLICY_YAML) =>
    compileTestPolicies(yaml, undefined, edit(TEST_SUBGRAPH_SDL));
  const unplaced = (problems: readonly PolicyProblem[]) =>
    problems.filter((p) => p.severity === 'error').map((p) => p.message);

  it('places each shape on the fields it compares against', () => {
    // A sort enum with directions (NAME_ASC, ID_NUMBER_DESC); sort keys as input objects { field, direction }.
    expect(valueOf('Query.pupils(sort)')).toEqual(inferred('Student.name', 'Student.idNumber', 'Student.grade'));
    expect(valueOf('Query.pupils(sortBy)')).toEqual(inferred('Student.name', 'Student.grade', 'Student.idNumber'));
    // A list named as a field's plural; a bound named after a field.
    expect(valueOf('Query.pupils(idNumbers)')).toEqual(inferred('Student.idNumber'));
    expect(valueOf('Query.pupils(minGrade)')).toEqual(inferred('Student.grade'));
    // Nested input objects: a range on a field, a relation's fields, logic (AND) over the same records.
    expect(valueOf('Query.pupils(where)')).toEqual(
      inferred('Student.idNumber', 'Student.grade', 'Student.school', 'School.code'),
    );
    expect(valueOf('Query.enrolments(where)')).toEqual(
      inferred(
        'Enrolment.year',
        'Enrolment.student',
        'Student.idNumber',
        'Student.grade',
        'Student.school',
        'School.code',
      ),
    );
    // A name walking a relation: the pupil's school's code.
    expect(valueOf('Query.students(schoolCode)')).toEqual(inferred('Student.school', 'School.code'));
  });

  it('refuses an argument over protected records that it cannot place, naming it and what to write', () => {
    const yaml = TEST_POLICY_YAML.replace(/ *# "born" names no field.*\n.*pupils\(bornAfter\).*\n/, '');
    const { policySet, problems } = compileTestPolicies(yaml);
    expect(policySet).toBeUndefined();
    const errors = problems.filter((p) => p.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ location: { file: 'education.yaml', line: lineOf(yaml, '    arguments:') } });
    expect(errors[0]!.message).toBe(
      'Query.pupils(bornAfter) is classed by no policy and the gateway cannot tell what it compares against (no field is named like bornAfter), yet Query.pupils returns protected data (Student.idNumber, Student.name, Student.grade and 3 more)',
    );
    expect(errors[0]!.hint).toMatch(
      /^under types\.Query\.arguments write "pupils\(bornAfter\)": \{ over: \[Type\.field, …\] \}/,
    );
    // Either way of classing it is accepted.
    expect(
      unplaced(
        compileTestPolicies(
          yaml.replace(
            '    arguments:\n',
            '    arguments:\n      pupils(bornAfter): { class: NOT_SHARED, level: L4, legalBasis: test }\n',
          ),
        ).problems,
      ),
    ).toEqual([]);
  });

  it('refuses an enum value, a nested input field or a list it cannot place, and says what is placed so far', () => {
    const errors = unplaced(
      compileVariant((sdl) =>
        sdl
          .replace('NAME_DESC', 'BORN_DESC')
          .replace('  AND: [StudentFilter!]\n', '  AND: [StudentFilter!]\n  bornAfter: String\n')
          .replace('idNumbers: [String!]', 'ids: [String!]'),
      ).problems,
    );
    expect(errors).toEqual([
      expect.stringMatching(
        /^Query\.pupils\(sort\) is classed by no policy .* \(StudentSort\.BORN_DESC names no field\)/,
      ),
      expect.stringMatching(/^Query\.pupils\(ids\) is classed by no policy .* \(no field is named like ids\)/),
      expect.stringMatching(/^Query\.pupils\(where\) is classed by no policy .* \(where\.bornAfter names no field\)/),
      expect.stringMatching(
        /^Query\.enrolments\(where\) is classed by no policy .* \(where\.student\.bornAfter names no field\), yet Query\.enrolments returns protected data \(Enrolment\.student\)$/,
      ),
    ]);
    const { problems } = compileVariant((sdl) => sdl.replace('NAME_DESC', 'BORN_DESC'));
    expect(problems.find((p) => p.message.startsWith('Query.pupils(sort)'))!.hint).toMatch(
      /\(it is over Student\.name, Student\.idNumber, Student\.grade as far as the gateway can tell\)/,
    );
  });

  it('refuses one over a union or interface any of whose types holds protected data', () => {
    const errors = unplaced(
      compileVariant((sdl) =>
        sdl
          .replace('type Enrolment {', 'union Member = Student | District\n\ntype Enrolment {')
          .replace(
            '  districts(near: String): [District!]\n',
            '  districts(near: String): [District!]\n  members(near: String): [Member]\n',
          ),
      ).problems,
    );
    expect(errors).toEqual([
      expect.stringMatching(
        /^Query\.members\(near\) is classed by no policy .* \(no field is named like near\), yet Query\.members returns protected data \(Student\.idNumber, /,
      ),
    ]);
  });

  it('lets an argument it cannot place be where the records hold nothing protected, or the field returns no records', () => {
    expect(valueOf('Query.districts(near)')).toEqual({ kind: 'field' });
    const { problems } = compileVariant((sdl) =>
      sdl.replace('  studentCount: Int\n', '  studentCount(asOf: String): Int\n'),
    );
    expect(unplaced(problems)).toEqual([]);
  });

  it("lets a mutation's arguments be: they are the values it writes, and who may call it is its field's class", () => {
    const withMutation = (sdl: string) =>
      `${sdl}\ntype Mutation {\n  "Records a pupil's date of birth."\n  recordBirth(idNumber: String!, bornOn: String!): Student\n}\n`;
    expect(unplaced(compileVariant(withMutation).problems)).toEqual([]);
    // The same argument on a query is refused.
    expect(
      unplaced(
        compileVariant((sdl) =>
          sdl.replace('type Query {\n', 'type Query {\n  "By date of birth."\n  bornOn(bornOn: String!): Student\n'),
        ).problems,
      ),
    ).toEqual([expect.stringMatching(/^Query\.bornOn\(bornOn\) is classed by no policy/)]);
  });

  it('compiles the shipped policies, every argument over protected records classed or placed', () => {
    const { policySet, problems } = compileYaml(shippedPolicies());
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    const over = (coordinate: string) => policySet!.argumentRules.get(coordinate)!.value;
    expect(over('Query.schools(districtCode)')).toMatchObject({
      kind: 'over',
      over: ['School.district'],
      origin: 'policy',
    });
    expect(over('Query.investmentProjects(ownerUscc)')).toMatchObject({
      kind: 'over',
      over: ['InvestmentProject.owner'],
      origin: 'policy',
    });
    expect(over('Query.highTechEnterprises(districtCode)')).toMatchObject({
      kind: 'over',
      over: ['HighTechEnterprise.district'],
      origin: 'policy',
    });
    // Without its rule, the schools' district filter is still placed: through the relation School.district.
    const silent = shippedPolicies()['education.yaml']!.replace(/ *schools\(districtCode\).*\n/, '');
    expect(
      compileYaml({ ...shippedPolicies(), 'education.yaml': silent }).policySet!.argumentRules.get(
        'Query.schools(districtCode)',
      )!.value,
    ).toEqual(inferred('School.district', 'District.code'));
  });
});
