import { compileTestPolicies, TEST_NOW, TEST_POLICY_YAML } from './argumentsGraph.test-helpers';
import { decideField } from './decideField';
import { compileYaml, consumer, fixturePolicies } from './policyFixtures.test-helpers';

// A minimum cell size on a count (or a connection's totalCount): compiled, and carried by the
// decision for every consumer but the agency that set it.
describe('minCount in a policy', () => {
  it('is set by the shipped education policy on the counts over pupils', () => {
    const shipped = compileYaml(fixturePolicies()).policySet!;
    expect(shipped.classify('District.studentCount', 'education').minCount).toBe(5);
    expect(shipped.classify('School.students', 'education').minCount).toBe(5);
    expect(shipped.classify('School.enrolment', 'education').minCount).toBeUndefined();
    expect(shipped.classify('District.schoolCount', 'education').minCount).toBeUndefined();
  });

  it('applies to a nullable Int or a nullable connection field only, and is not set by a type default', () => {
    const errors = (yaml: string) =>
      compileTestPolicies(yaml)
        .problems.filter((p) => p.severity === 'error')
        .map((p) => p.message);
    expect(
      errors(
        TEST_POLICY_YAML.replace(
          '      studentCount: { class: UNCONDITIONAL, level: L1, open: OPEN, minCount: 5 }',
          '      name: { class: UNCONDITIONAL, level: L1, open: OPEN, minCount: 5 }',
        ),
      ),
    ).toEqual(['School.name sets minCount but is neither a count (Int) nor a connection with totalCount']);
    expect(
      errors(
        TEST_POLICY_YAML.replace(
          '  StudentConnection:\n    default: { class: UNCONDITIONAL, level: L1, open: OPEN }',
          '  StudentConnection:\n    default: { class: UNCONDITIONAL, level: L1, open: OPEN, minCount: 5 }',
        ),
      ),
    ).toEqual(['StudentConnection (default) sets minCount']);
    const nonNull = compileYaml({
      ...fixturePolicies(),
      'education.yaml': fixturePolicies()['education.yaml']!.replace(
        '      name: { class: UNCONDITIONAL, level: L1, open: OPEN }\n',
        '      name: { class: UNCONDITIONAL, level: L1, open: OPEN }\n      enrolment: { class: UNCONDITIONAL, level: L1, open: OPEN, minCount: 5 }\n',
      ),
    });
    expect(nonNull.problems.filter((p) => p.severity === 'error').map((p) => [p.message, p.hint])).toEqual([
      [
        'School.enrolment sets minCount but is non-null: withholding a small count would null its parent',
        "make the field nullable in its subgraph's SDL first",
      ],
    ]);
    expect(errors(TEST_POLICY_YAML.replace('minCount: 5 }', 'minCount: 1 }'))[0]).toMatch(/minCount/);
  });
});

describe('minCount in a decision', () => {
  const policySet = compileTestPolicies().policySet!;
  const decide = (who: string, purpose: string | undefined, coordinate: string) =>
    decideField(policySet, consumer(who), purpose, coordinate, TEST_NOW);

  it('binds every consumer but the agency that set it, the public included', () => {
    expect(decide('public', undefined, 'School.studentCount')).toMatchObject({ effect: 'allow', minCount: 5 });
    expect(decide('science', 'industrial-policy', 'School.studentCount')).toMatchObject({
      effect: 'allow',
      minCount: 5,
    });
    expect(decide('city-analytics', 'statistics', 'School.students')).toMatchObject({ effect: 'allow', minCount: 5 });
    expect(decide('education', 'operations', 'School.studentCount').minCount).toBeUndefined();
    expect(decide('education', 'operations', 'School.students').minCount).toBeUndefined();
    expect(decide('public', undefined, 'School.name').minCount).toBeUndefined();
  });
});
