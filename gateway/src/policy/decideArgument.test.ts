import { compileTestPolicies, TEST_NOW, TEST_POLICY_YAML } from './argumentsGraph.test-helpers';
import { decideArgument } from './decideArgument';
import { consumer } from './policyFixtures.test-helpers';

// An argument that compares against or orders by a value is a read of that value.
const policySet = compileTestPolicies().policySet!;
const decide = (consumerId: string, purpose: string | undefined, coordinate: string, at = TEST_NOW) =>
  decideArgument(policySet, consumer(consumerId), purpose, coordinate, at);

describe('decideArgument', () => {
  it('denies an argument over NOT_SHARED data to everyone but its agency, citing the legal basis', () => {
    for (const [who, purpose] of [
      ['city-analytics', 'statistics'],
      ['district-haidian', 'enrollment-planning'],
      ['science', 'industrial-policy'],
      ['public', undefined],
    ] as const) {
      const decision = decide(who, purpose, 'Query.studentByIdNumber(idNumber)');
      expect(decision).toMatchObject({ effect: 'deny', code: 'ARGUMENT_NOT_SHARED', agency: 'education' });
      expect(decision.rulings[0]).toMatchObject({
        because: expect.stringMatching(
          /^compares against Student\.idNumber: (NOT_SHARED \(PIPL art\. 28 \(test\)\)|not open to the public)/,
        ),
        classification: { legalBasis: 'PIPL art. 28 (test)' },
      });
    }
    expect(decide('education', 'operations', 'Query.studentByIdNumber(idNumber)').effect).toBe('allow');
  });

  it('releases an argument over CONDITIONAL data under the grant that releases the data in clear', () => {
    const decision = decide('city-analytics', 'statistics', 'Query.students(healthStatus)');
    expect(decision).toMatchObject({
      effect: 'allow',
      grants: [expect.objectContaining({ id: 'TEST-1' })],
      validUntil: Date.parse('2028-01-01T00:00:00+08:00'),
    });
    expect(decide('science', 'industrial-policy', 'Query.students(healthStatus)').rulings[0]!.because).toMatch(
      /GRANT_REQUIRED|holds no grant/,
    );
    expect(
      decide('city-analytics', 'statistics', 'Query.students(healthStatus)', Date.parse('2028-01-02T00:00:00+08:00')),
    ).toMatchObject({ effect: 'deny', code: 'ARGUMENT_NOT_SHARED' });
  });

  it('denies an argument whose value the consumer may read only masked', () => {
    // TEST-1 grants Student.name masked: ordering by name would tell the names in clear.
    const byName = compileTestPolicies(
      TEST_POLICY_YAML.replace('    arguments:\n', '    arguments:\n      students(orderBy): { over: Student.name }\n'),
    ).policySet!;
    const decision = decideArgument(
      byName,
      consumer('city-analytics'),
      'statistics',
      'Query.students(orderBy)',
      TEST_NOW,
    );
    expect(decision).toMatchObject({ effect: 'deny', code: 'ARGUMENT_NOT_SHARED', agency: 'education' });
    expect(decision.rulings[0]!.because).toMatch(/granted masked by TEST-1; a comparison reads the value in clear/);
  });

  it('denies an argument whose value is granted for some rows only', () => {
    const decision = decide('district-haidian', 'enrollment-planning', 'Query.students(healthStatus)');
    expect(decision).toMatchObject({ effect: 'deny', code: 'ARGUMENT_NOT_SHARED' });
    expect(decision.rulings[0]!.because).toMatch(
      /for rows in \{"districtCode":"110108"\} only; a comparison runs over every row/,
    );
  });

  it('takes the strictest of the values an argument is over (an order by several keys)', () => {
    // orderBy is over name (masked for city-analytics), grade (granted) and idNumber (NOT_SHARED).
    const decision = decide('city-analytics', 'statistics', 'Query.students(orderBy)');
    expect(decision).toMatchObject({ effect: 'deny', code: 'ARGUMENT_NOT_SHARED', agency: 'education' });
    expect(decision.rulings.map((r) => r.effect)).toEqual(['deny', 'allow', 'deny']);
  });

  it('decides an argument classed on its own by its own class and the grants naming it', () => {
    expect(decide('city-analytics', 'statistics', 'Query.students(grade)')).toMatchObject({
      effect: 'allow',
      grants: [expect.objectContaining({ id: 'TEST-1' })],
    });
    // district-haidian may read grades, but holds no grant naming the argument.
    expect(decide('district-haidian', 'enrollment-planning', 'Query.students(grade)')).toMatchObject({
      effect: 'deny',
      code: 'ARGUMENT_NOT_SHARED',
      rulings: [{ code: 'GRANT_REQUIRED' }],
    });
    expect(decide('city-analytics', 'planning', 'Query.students(grade)').rulings[0]!.code).toBe('PURPOSE_NOT_GRANTED');
    expect(decide('education', 'operations', 'Query.students(grade)').effect).toBe('allow');
  });

  it('releases an argument over open data to the public', () => {
    expect(decide('public', undefined, 'Query.school(code)').effect).toBe('allow');
    expect(decide('public', undefined, 'Query.students(healthStatus)').effect).toBe('deny');
  });

  it('has nothing to decide for arguments without a value of their own, and denies unknown ones', () => {
    expect(decide('public', undefined, 'Query.students(first)')).toMatchObject({ effect: 'allow', rulings: [] });
    // `near` names no field, and districts hold nothing protected: it takes the class of Query.districts.
    expect(decide('public', undefined, 'Query.districts(near)')).toMatchObject({ effect: 'allow', rulings: [] });
    expect(decide('education', 'operations', 'Query.nothing(here)')).toMatchObject({
      effect: 'deny',
      code: 'ARGUMENT_NOT_SHARED',
    });
  });

  it('decides the shapes inference places: lists, sort enums and keys, nested filters, relations, bounds', () => {
    const analytics = (coordinate: string) => decide('city-analytics', 'statistics', coordinate);
    // Over Student.idNumber (NOT_SHARED), directly or through a nested filter.
    for (const coordinate of [
      'Query.pupils(idNumbers)',
      'Query.pupils(sort)',
      'Query.pupils(sortBy)',
      'Query.pupils(where)',
      'Query.enrolments(where)',
    ]) {
      expect(analytics(coordinate)).toMatchObject({ effect: 'deny', code: 'ARGUMENT_NOT_SHARED', agency: 'education' });
      expect(
        analytics(coordinate).rulings.some((r) => /compares against Student\.idNumber: NOT_SHARED/.test(r.because)),
      ).toBe(true);
    }
    // Over grades and a pupil's school, which TEST-1 grants in clear; not to a row-scoped grant.
    expect(analytics('Query.pupils(minGrade)')).toMatchObject({
      effect: 'allow',
      grants: [expect.objectContaining({ id: 'TEST-1' })],
    });
    expect(analytics('Query.students(schoolCode)')).toMatchObject({
      effect: 'allow',
      grants: [expect.objectContaining({ id: 'TEST-1' })],
    });
    expect(decide('district-haidian', 'enrollment-planning', 'Query.students(schoolCode)')).toMatchObject({
      effect: 'deny',
      code: 'ARGUMENT_NOT_SHARED',
    });
    // Classed by the policy (inference cannot tell): birth dates are NOT_SHARED.
    expect(analytics('Query.pupils(bornAfter)')).toMatchObject({ effect: 'deny', code: 'ARGUMENT_NOT_SHARED' });
    expect(decide('education', 'operations', 'Query.pupils(bornAfter)').effect).toBe('allow');
  });

  it('gives its class to the cache limits, also where the agency reads its own data', () => {
    expect(
      decide('education', 'operations', 'Query.studentByIdNumber(idNumber)').rulings[0]!.classification,
    ).toMatchObject({ sharingClass: 'NOT_SHARED', level: 'L4' });
  });
});
