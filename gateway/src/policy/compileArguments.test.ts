import { compileTestPolicies, TEST_POLICY_YAML } from './argumentsGraph.test-helpers';
import { compileYaml, fixturePolicies } from './policyFixtures.test-helpers';

// How a policy classes arguments (`types.<Type>.arguments`) and how grants name them: each
// problem with its file and line, like field rules.
const errorsOf = (yaml: string) => compileTestPolicies(yaml).problems.filter((p) => p.severity === 'error');
const withArguments = (entries: string) => TEST_POLICY_YAML.replace('      seniorStudents(fromGrade): { over: Student.grade }\n', `      seniorStudents(fromGrade): { over: Student.grade }\n${entries}`);
const lineOf = (yaml: string, text: string) => yaml.split('\n').findIndex((line) => line.includes(text)) + 1;

describe('argument rules in a policy', () => {
  it('compiles the test policy without problems, explicit and inferred alike', () => {
    const { policySet, problems } = compileTestPolicies();
    expect(problems).toEqual([]);
    expect(policySet!.argumentRules.get('Query.students(grade)')!.value).toMatchObject({ kind: 'classed', classifications: [{ agency: 'education', sharingClass: 'CONDITIONAL', level: 'L3' }] });
    expect(policySet!.argumentRules.get('Query.seniorStudents(fromGrade)')).toMatchObject({ value: { kind: 'over', over: ['Student.grade'], origin: 'policy' }, readsDefault: true });
    expect(policySet!.argumentRules.get('Query.students(healthStatus)')!.value).toMatchObject({ kind: 'over', over: ['Student.healthStatus'], origin: 'inferred' });
    expect(policySet!.decisiveArguments('Query.students').map((r) => r.argument)).toEqual(['orderBy', 'healthStatus', 'grade']);
  });

  it('refuses unknown fields and arguments, with a suggestion and the line', () => {
    const yaml = withArguments('      studnts(grade): { over: Student.grade }\n      students(grde): { over: Student.grade }\n      students: { over: Student.grade }\n');
    expect(errorsOf(yaml).map((e) => [e.location.line, e.message, e.hint])).toEqual([
      [lineOf(yaml, 'studnts(grade)'), 'unknown field "Query.studnts"', 'did you mean "students(grade)"?'],
      [lineOf(yaml, 'students(grde)'), 'unknown argument "Query.students(grde)"', 'did you mean "students(grade)"?'],
      [lineOf(yaml, 'students: { over'), '"students" is not an argument', 'write field(argument), e.g. students(healthStatus)'],
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
    expect(errorsOf(withArguments('      students(healthStatus): { over: Student.healthStats }\n'))[0]!.hint).toBe('did you mean "Student.healthStatus"?');
  });

  it('refuses an over that is not a field coordinate, from the policy file schema', () => {
    expect(errorsOf(withArguments('      students(orderBy): { over: "Student" }\n'))[0]!.message).toMatch(/write Type\.field/);
  });

  it('warns when defaultCompares is said of an argument without a default', () => {
    const warnings = compileTestPolicies(withArguments('      students(healthStatus): { over: Student.healthStatus, defaultCompares: false }\n')).problems.filter((p) => p.severity === 'warning');
    expect(warnings.map((w) => w.message)).toEqual(['Query.students(healthStatus) has no default value, so defaultCompares says nothing']);
  });

  it('lets only the agency resolving a field class its arguments', () => {
    const errors = compileYaml({ ...fixturePolicies(), 'science.yaml': fixturePolicies()['science.yaml']!.replace('    arguments:\n      # validOnly', '    arguments:\n      schools(type): { over: School.type }\n      # validOnly') }).problems.filter((p) => p.severity === 'error');
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
    const wildcard = compileTestPolicies(TEST_POLICY_YAML.replace('      - Query.students(grade)\n', '      - Query.*\n')).policySet!;
    expect(wildcard.grantsFor('city-analytics', 'Query.students(grade)')).toEqual([]);
    expect(wildcard.grantsFor('city-analytics', 'Query.students').map((g) => g.id)).toEqual(['TEST-1']);
  });

  it('refuse an argument over a value, one with no class of its own, an unknown one and a masked one', () => {
    const messages = (field: string) => errorsOf(grant(field)).map((e) => [e.message, e.hint]);
    expect(messages('Query.students(healthStatus)')).toEqual([['grant "TEST-1" names Query.students(healthStatus): it compares against Student.healthStatus and is released with it', 'grant Student.healthStatus instead']]);
    expect(messages('Query.students(schoolCode)')).toEqual([['grant "TEST-1" names Query.students(schoolCode): it has no class of its own (it takes the class of Query.students)', 'grant Query.students, or class the argument under arguments: in the policy']]);
    expect(messages('Query.students(grd)')).toEqual([['grant "TEST-1" names unknown argument "Query.students(grd)"', 'did you mean "Query.students(grade)"?']]);
    expect(messages('"Query.students(grade)": name')).toEqual([['Query.students(grade) is an argument: it compares values in clear and cannot be masked', 'grant it plainly, or not at all']]);
  });

  it('refuse a NOT_SHARED argument and warn about an UNCONDITIONAL one', () => {
    const classed = (rule: string) => grant('Query.students(orderBy)').replace('      seniorStudents(fromGrade)', `      students(orderBy): ${rule}\n      seniorStudents(fromGrade)`);
    expect(errorsOf(classed('{ class: NOT_SHARED, level: L4, legalBasis: law }'))[0]!.message).toBe('grant "TEST-1" names Query.students(orderBy): education classes it NOT_SHARED (law)');
    const warnings = compileTestPolicies(classed('{ class: UNCONDITIONAL, level: L1 }')).problems.filter((p) => p.severity === 'warning');
    expect(warnings.map((w) => w.message)).toEqual(['grant "TEST-1" names Query.students(orderBy): it is UNCONDITIONAL already']);
  });
});
