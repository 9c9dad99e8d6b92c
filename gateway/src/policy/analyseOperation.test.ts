import { parse } from 'graphql';
import { analyseOperation, resolveOperation } from './analyseOperation';
import { supergraph } from './policyFixtures.test-helpers';

const analyse = (query: string, operationName?: string) =>
  analyseOperation(supergraph.apiSchema, parse(query), operationName).map(
    (s) => `${s.coordinate} @ ${s.path.join('.')}`,
  );

describe('analyseOperation', () => {
  it('follows aliases, named and inline fragments to every coordinate read', () => {
    expect(
      analyse(`query Q { s: school(code: "1") { ...Roster ... on School { n: name } } }
               fragment Roster on School { students { nodes { who: name ...Ids } } }
               fragment Ids on Student { idNumber }`),
    ).toEqual([
      'Query.school @ s',
      'School.students @ s.students',
      'StudentConnection.nodes @ s.students.nodes',
      'Student.name @ s.students.nodes.who',
      'Student.idNumber @ s.students.nodes.idNumber',
      'School.name @ s.n',
    ]);
  });

  it('reaches entity fields through another agency’s types', () => {
    expect(analyse('{ investmentProject(code: "x") { school { students { nodes { guardianPhone } } } } }')).toContain(
      'Student.guardianPhone @ investmentProject.school.students.nodes.guardianPhone',
    );
  });

  it('counts fields under @skip/@include as read (the decision must not depend on variables)', () => {
    expect(
      analyse('query ($x: Boolean!) { school(code: "1") { students @include(if: $x) { totalCount } } }'),
    ).toContain('StudentConnection.totalCount @ school.students.totalCount');
  });

  it('leaves introspection to its own stage and picks the named operation', () => {
    expect(analyse('{ __typename __schema { types { name } } }')).toEqual([]);
    expect(analyse('query A { districts { totalCount } } query B { schools { totalCount } }', 'B')).toEqual([
      'Query.schools @ schools',
      'SchoolConnection.totalCount @ schools.totalCount',
    ]);
  });
});

describe('resolveOperation', () => {
  const document = parse('query A { __typename } query B { __typename }');
  const [a, b] = document.definitions as never as [{ name: { value: string } }, { name: { value: string } }];

  it('takes an operation already resolved as it is, whatever the name says', () => {
    expect(resolveOperation(document, b as never)).toBe(b);
  });

  it('picks by name, or the only operation; none when unnamed among several (graphql-js getOperationAST)', () => {
    expect(resolveOperation(document, 'A')).toBe(a);
    expect(resolveOperation(document, 'C')).toBeUndefined();
    expect(resolveOperation(document, undefined)).toBeUndefined();
    const single = parse('{ __typename }');
    expect(resolveOperation(single, null)).toBe(single.definitions[0]);
  });
});
