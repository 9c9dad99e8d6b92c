import { formatProblem } from './policyInputs';
import { blankedPositions } from './blankedObjects';
import { reachTypes } from './parentGrants';
import { compileYaml, consumer, fixturePolicies, supergraph } from './policyFixtures.test-helpers';

// What a CDO reads when a policy is wrong (issue 18, item 2): the line and what is allowed there,
// no cascade of warnings from one typo, a refusal before objects are blanked, and a warning when a
// grant cannot be used because its consumer cannot reach the granted type.

const now = Date.parse('2026-11-27T12:00:00+08:00');
const education = () => fixturePolicies()['education.yaml']!;
const withEducation = (text: string) => compileYaml({ ...fixturePolicies(), 'education.yaml': text }, now);

describe('a typo in a policy file', () => {
  const typo = () =>
    withEducation(
      education().replace(
        '      code: { class: UNCONDITIONAL, level: L1, open: OPEN }\n      name',
        '      code: { class: CONDITONAL, level: L1, open: OPEN }\n      name',
      ),
    );

  it('names the line and what is allowed, with the nearest allowed value', () => {
    const { problems } = typo();
    const lines = education().split('\n');
    const codeLine = lines.findIndex((l) => l.startsWith('      code: { class: UNCONDITIONAL')) + 1;
    expect(problems).toEqual([
      {
        severity: 'error',
        location: { file: 'education.yaml', line: codeLine },
        message:
          'School.code: class must be one of UNCONDITIONAL, CONDITIONAL, NOT_SHARED; "CONDITONAL" is not — did you mean CONDITIONAL?',
      },
    ]);
  });

  it('does not cascade into warnings about every other field of the agency', () => {
    const { policySet, problems } = typo();
    expect(policySet).toBeUndefined();
    expect(problems.filter((p) => p.severity === 'warning')).toEqual([]);
  });

  it('names a misspelt key, the keys allowed there and the one meant', () => {
    const { problems } = withEducation(
      education().replace('teachers: { class: CONDITIONAL', 'teachers: { clas: CONDITIONAL'),
    );
    expect(problems).toHaveLength(1);
    expect(formatProblem(problems[0]!)).toMatch(
      /^education\.yaml:\d+: error: School\.teachers: "clas" is not a key here — did you mean class\?\n {4}hint: allowed here: class, level, open, legalBasis, cacheable, minCount, allowBlanking, note$/,
    );
  });

  it('says which key a grant lacks, by the grant id', () => {
    const { problems } = withEducation(education().replace(/ {4}approvedBy: .*\n/, ''));
    expect(problems.map((p) => p.message)).toEqual(['grant "EDU-2026-001": approvedBy is missing']);
  });
});

describe('the blanking guard', () => {
  const addressConditional = (extra = '') =>
    withEducation(
      education().replace(
        '      name: { class: UNCONDITIONAL, level: L1, open: OPEN }\n',
        `      name: { class: UNCONDITIONAL, level: L1, open: OPEN }\n      address: { class: CONDITIONAL, level: L2${extra} }\n`,
      ),
    );

  it('refuses a non-null field made CONDITIONAL, naming the objects that would become null and who loses them', () => {
    const { policySet, problems } = addressConditional();
    expect(policySet).toBeUndefined();
    const errors = problems.filter((p) => p.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(
      /^School\.address is non-null but CONDITIONAL: for a consumer denied it, every School becomes null/,
    );
    expect(errors[0]!.message).toContain('Query.school');
    expect(errors[0]!.message).toContain('Query.schools');
    // Every consumer of another agency loses it; the education commission's own consumer does not.
    expect(errors[0]!.message).toMatch(/consumers affected: .*city-analytics.*district-haidian.*science/);
    expect(errors[0]!.message).not.toMatch(/affected: .*\beducation\b/);
    expect(errors[0]!.hint).toContain('allowBlanking: true');
  });

  it('accepts it when the CDO confirms with allowBlanking: true next to the field', () => {
    const { policySet, problems } = addressConditional(', allowBlanking: true');
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(policySet!.classify('School.address', 'education').sharingClass).toBe('CONDITIONAL');
  });

  it('finds where nulls land: the nearest nullable position above each use of the type', () => {
    // SchoolConnection.nodes is [School!]!: the null climbs to the connection field.
    expect(blankedPositions(supergraph.apiSchema, 'School.address')).toEqual(
      expect.arrayContaining(['Query.school', 'Query.schools', 'Organization.school']),
    );
    expect(blankedPositions(supergraph.apiSchema, 'School.address')).not.toContain('SchoolConnection.nodes');
  });
});

describe('grants a consumer cannot use', () => {
  const teacherGrant = (fields: string) =>
    withEducation(
      `${education()}\n  - id: EDU-TEST-TEACHERS\n    consumer: city-analytics\n    purposes: [statistics]\n    fields: [${fields}]\n    expires: 2027-12-31\n    approvedBy: CDO\n`,
    );

  it('warns when the only path to the granted type is not granted, naming the missing parent grant and the command', () => {
    const { policySet, problems } = teacherGrant('Teacher.name');
    expect(policySet).toBeDefined();
    const warning = problems.find((p) => p.message.startsWith('grant "EDU-TEST-TEACHERS"'));
    expect(warning?.message).toBe(
      'grant "EDU-TEST-TEACHERS" releases Teacher.name to city-analytics, who cannot reach a Teacher without School.teachers: the grant cannot be used',
    );
    expect(warning?.hint).toContain(
      'hub grant request --consumer city-analytics --fields School.teachers --purpose statistics',
    );
  });

  it('says nothing once the parent field is granted too', () => {
    const { problems } = teacherGrant('School.teachers, Teacher.name');
    expect(problems).toEqual([]);
  });

  it('reaches types through released fields only', () => {
    const policySet = compileYaml(fixturePolicies(), now).policySet!;
    const reach = reachTypes(policySet, consumer('science'), 'industrial-policy', now);
    expect(reach.get('School')?.missing).toEqual([]);
    expect(reach.get('Teacher')?.missing).toEqual(['School.teachers']);
    expect(reach.get('Student')?.missing).toEqual(['School.students']);
  });
});
