import { parse, print, type GraphQLObjectType } from 'graphql';
import type { Identity } from '../consumers';
import { compileTestPolicies, TEST_NOW, TEST_POLICY_YAML, testSupergraph } from '../policy/argumentsGraph.test-helpers';
import { consumer } from '../policy/policyFixtures.test-helpers';
import { buildConsumerSchema } from './consumerSchema';
import { denialErrors } from './denialErrors';
import { compileOperationView } from './operationView';
import { shapeResponse } from './shapeResponse';

// A denied argument refuses its field: removed before planning, withheld with one error naming
// `Type.field(arg)`, and hidden from the consumer's schema.
const policySet = compileTestPolicies().policySet!;
const as = (id: string, purpose?: string): Identity => ({
  consumer: consumer(id),
  purpose,
  roles: [],
  anonymous: id === 'public',
});
const view = (identity: Identity, query: string, set = policySet) =>
  compileOperationView(set, identity, parse(query), undefined, 'hash-of-original', TEST_NOW);
const schema = testSupergraph().apiSchema;
const mask = { hashKey: 'k', consumerId: 'x' };

describe('a denied argument refuses its field before planning', () => {
  it('counts a literal and a variable alike, whatever the variable’s value', () => {
    for (const query of [
      '{ studentByIdNumber(idNumber: "110108201501010011") { name } school(code: "1") { name } }',
      'query ($id: String!) { studentByIdNumber(idNumber: $id) { name } school(code: "1") { name } }',
    ]) {
      const v = view(as('city-analytics', 'statistics'), query);
      expect(v.decisions.get('Query.studentByIdNumber(idNumber)')).toMatchObject({
        effect: 'deny',
        code: 'ARGUMENT_NOT_SHARED',
      });
      expect(print(v.document)).not.toMatch(/studentByIdNumber|idNumber/);
      expect(print(v.document)).toMatch(/school\(code: "1"\)/);
      expect(v.unrestricted).toBe(false);
    }
  });

  it('refuses only the uses that give the argument', () => {
    const v = view(
      as('science', 'industrial-policy'),
      '{ all: students { totalCount } ill: students(healthStatus: FOLLOW_UP) { totalCount } }',
    );
    const text = print(v.document);
    expect(text).toMatch(/all: students/);
    expect(text).not.toMatch(/ill: students|FOLLOW_UP/);
  });

  it('reads a default that compares, unless the policy says it compares nothing', () => {
    expect(print(view(as('science', 'industrial-policy'), '{ seniorStudents { totalCount } }').document)).not.toMatch(
      /seniorStudents/,
    );
    const free = compileTestPolicies(
      TEST_POLICY_YAML.replace(
        'seniorStudents(fromGrade): { over: Student.grade }',
        'seniorStudents(fromGrade): { over: Student.grade, defaultCompares: false }',
      ),
    ).policySet!;
    expect(print(view(as('science', 'industrial-policy'), '{ seniorStudents { totalCount } }', free).document)).toMatch(
      /seniorStudents/,
    );
    expect(
      print(view(as('science', 'industrial-policy'), '{ seniorStudents(fromGrade: 3) { totalCount } }', free).document),
    ).not.toMatch(/seniorStudents/);
  });

  it('decides only the arguments an operation uses, and puts them in the fingerprint', () => {
    const plain = view(as('city-analytics', 'statistics'), '{ students { totalCount } }');
    expect([...plain.decisions.keys()].filter((k) => k.includes('('))).toEqual([]);
    const filtered = '{ students(healthStatus: FOLLOW_UP) { totalCount } }';
    const analytics = view(as('city-analytics', 'statistics'), filtered);
    const haidian = view(as('district-haidian', 'enrollment-planning'), filtered);
    expect(analytics.decisions.get('Query.students(healthStatus)')!.effect).toBe('allow');
    expect(haidian.decisions.get('Query.students(healthStatus)')!.effect).toBe('deny');
    expect(analytics.fingerprint).not.toBe(haidian.fingerprint);
    expect(analytics.grants.map((g) => g.id)).toEqual(['TEST-1']);
  });

  it('refuses the shapes inference places, inside lists, enums and nested input objects alike', () => {
    const query =
      '{ a: pupils(idNumbers: ["110108201501010011"]) { totalCount } b: pupils(sort: ID_NUMBER_DESC) { totalCount } c: enrolments(where: { student: { idNumber: "1" } }) { totalCount } d: pupils(minGrade: 3) { totalCount } }';
    const v = view(as('city-analytics', 'statistics'), query);
    for (const coordinate of ['Query.pupils(idNumbers)', 'Query.pupils(sort)', 'Query.enrolments(where)'])
      expect(v.decisions.get(coordinate)).toMatchObject({ effect: 'deny', code: 'ARGUMENT_NOT_SHARED' });
    expect(v.decisions.get('Query.pupils(minGrade)')!.effect).toBe('allow');
    const text = print(v.document);
    expect(text).not.toMatch(/110108201501010011|ID_NUMBER_DESC|idNumber/);
    expect(text).toMatch(/d: pupils\(minGrade: 3\)/);
  });

  it('follows fragments and nested fields', () => {
    const v = view(
      as('science', 'industrial-policy'),
      '{ schools { ...F } } fragment F on School { code students(healthStatus: HEALTHY) { totalCount } }',
    );
    expect(print(v.document)).not.toMatch(/HEALTHY/);
    expect(v.decisions.get('School.students(healthStatus)')!.effect).toBe('deny');
  });
});

describe('reshaping and errors', () => {
  it('withholds the refused field with one error naming the argument, its agency and legal basis', () => {
    const query =
      '{ a: studentByIdNumber(idNumber: "1") { name } b: studentByIdNumber(idNumber: "2") { grade } schools { code } }';
    const v = view(as('district-haidian', 'enrollment-planning'), query);
    // The agencies were asked for the schools only; the answer they gave is reshaped.
    const shaped = shapeResponse(
      schema,
      parse(query),
      undefined,
      {},
      v.decisions,
      { schools: [{ code: '1' }] },
      mask,
      v.argumentsOf,
    );
    expect(shaped.data).toEqual({ a: null, b: null, schools: [{ code: '1' }] });
    const errors = denialErrors(shaped.withheld);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(
      /^The argument Query\.studentByIdNumber\(idNumber\) is withheld by education: compares against Student\.idNumber: NOT_SHARED/,
    );
    expect(errors[0]!.extensions).toMatchObject({
      code: 'ARGUMENT_NOT_SHARED',
      agency: 'education',
      coordinate: 'Query.studentByIdNumber(idNumber)',
      paths: ['a', 'b'],
      legalBasis: 'PIPL art. 28 (test)',
    });
  });
});

describe('the consumer’s own schema', () => {
  const fieldsOf = (identity: Identity, typeName: string) =>
    buildConsumerSchema(policySet, identity, TEST_NOW).schema.getType(typeName) as GraphQLObjectType | undefined;
  const argumentsOf = (identity: Identity, typeName: string, fieldName: string) => {
    const fields = fieldsOf(identity, typeName)?.getFields();
    return fields?.[fieldName]?.args.map((a) => a.name);
  };

  it('hides the arguments a consumer may not give', () => {
    expect(argumentsOf(as('city-analytics', 'statistics'), 'Query', 'students')).toEqual([
      'healthStatus',
      'grade',
      'schoolCode',
      'first',
      'after',
    ]);
    // schoolCode compares against Student.school, which district-haidian reads for its own rows only.
    expect(argumentsOf(as('district-haidian', 'enrollment-planning'), 'Query', 'students')).toEqual(['first', 'after']);
    expect(argumentsOf(as('education', 'operations'), 'Query', 'students')).toEqual([
      'orderBy',
      'healthStatus',
      'grade',
      'schoolCode',
      'first',
      'after',
    ]);
  });

  it('hides a field that cannot be asked without a denied argument', () => {
    expect(fieldsOf(as('city-analytics', 'statistics'), 'Query')!.getFields().studentByIdNumber).toBeUndefined();
    expect(fieldsOf(as('science', 'industrial-policy'), 'Query')!.getFields().seniorStudents).toBeUndefined();
    expect(fieldsOf(as('education', 'operations'), 'Query')!.getFields().studentByIdNumber).toBeDefined();
  });

  it('says where counts are thresholded', () => {
    expect(fieldsOf(as('public'), 'School')!.getFields().studentCount!.description).toMatch(
      /A count below 5 \(other than 0\) is withheld/,
    );
    expect(fieldsOf(as('education', 'operations'), 'School')!.getFields().studentCount!.description).not.toMatch(
      /withheld/,
    );
  });
});
