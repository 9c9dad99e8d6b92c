import { getIntrospectionQuery, Kind, parse, type OperationDefinitionNode } from 'graphql';
import type { OperationLimits } from '../config';
import { checkDocumentLimits, checkListSizes, checkOperationLimits, DEFAULT_OPERATION_LIMITS } from './operationLimits';

const check = (query: string, limits: Partial<OperationLimits> = {}) => {
  const document = parse(query);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  )!;
  return checkOperationLimits(document, operation, { ...DEFAULT_OPERATION_LIMITS, ...limits });
};

describe('operation limits', () => {
  it('accepts an operation exactly at each bound and refuses one past it', () => {
    expect(check('{ a { b { c } } }', { maxDepth: 3 })).toBeUndefined();
    expect(check('{ a { b { c { d } } } }', { maxDepth: 3 })).toMatchObject({
      code: 'OPERATION_TOO_DEEP',
      limit: 3,
      actual: 4,
    });
    expect(check('{ x: a y: b }', { maxAliases: 2 })).toBeUndefined();
    expect(check('{ x: a y: b z: c }', { maxAliases: 2 })).toMatchObject({ code: 'TOO_MANY_ALIASES', actual: 3 });
    expect(check('{ a b }', { maxRootFields: 2 })).toBeUndefined();
    expect(check('{ a b c }', { maxRootFields: 2 })).toMatchObject({
      code: 'TOO_MANY_ROOT_FIELDS',
      actual: 3,
      message: 'The operation has 3 root fields; this hub accepts at most 2.',
    });
    expect(check('{ a { b c } }', { maxFields: 3 })).toBeUndefined();
    expect(check('{ a { b c d } }', { maxFields: 3 })).toMatchObject({ code: 'TOO_MANY_FIELDS', actual: 4 });
  });

  it('counts fragments at every use without expanding them: a fragment bomb is measured, not built', () => {
    // Each level doubles: 2^20 fields once expanded, measured in 20 steps.
    const levels = Array.from(
      { length: 20 },
      (_, i) => `fragment F${i} on T { x: f ...F${i + 1} y: f ...F${i + 1} }`,
    ).join('\n');
    const bomb = `{ root { ...F0 } }\n${levels}\nfragment F20 on T { leaf }`;
    expect(check(bomb)).toMatchObject({ code: 'TOO_MANY_ALIASES' });
    expect(check(bomb, { maxAliases: Number.MAX_SAFE_INTEGER })).toMatchObject({
      code: 'TOO_MANY_FIELDS',
      actual: expect.any(Number),
    });
    expect(check(bomb, { maxAliases: Number.MAX_SAFE_INTEGER })!.actual).toBeGreaterThan(1_000_000);
  });

  it('counts inline fragments and spreads at the root, and leaves introspection out', () => {
    expect(check('{ a ... on Query { b } ...R } fragment R on Query { c }', { maxRootFields: 2 })).toMatchObject({
      code: 'TOO_MANY_ROOT_FIELDS',
      actual: 3,
    });
    expect(
      check('{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }', { maxDepth: 2 }),
    ).toBeUndefined();
  });
});

describe('introspection depth', () => {
  it('accepts the standard introspection query (depth 15) and refuses one level more', () => {
    const standard = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
    });
    expect(checkDocumentLimits(parse(standard), DEFAULT_OPERATION_LIMITS)).toBeUndefined();
    const nested = (levels: number) =>
      `{ __schema { types { ${'fields { type { '.repeat(levels)}name${' } }'.repeat(levels)} } } }`;
    // __schema, types, then two levels per repetition, then name: 3 + 2n.
    expect(checkDocumentLimits(parse(nested(6)), DEFAULT_OPERATION_LIMITS)).toBeUndefined();
    expect(checkDocumentLimits(parse(nested(7)), DEFAULT_OPERATION_LIMITS)).toMatchObject({
      code: 'INTROSPECTION_TOO_DEEP',
      limit: 15,
      actual: 17,
    });
  });

  it('measures introspection through fragments and __type as well', () => {
    const query = '{ __type(name: "Q") { ...T } } fragment T on __Type { fields { type { ofType { name } } } }';
    expect(
      checkDocumentLimits(parse(query), { ...DEFAULT_OPERATION_LIMITS, maxIntrospectionDepth: 5 }),
    ).toBeUndefined();
    expect(checkDocumentLimits(parse(query), { ...DEFAULT_OPERATION_LIMITS, maxIntrospectionDepth: 4 })).toMatchObject({
      code: 'INTROSPECTION_TOO_DEEP',
      actual: 5,
    });
  });

  it('checks every operation of a document, whichever is run', () => {
    expect(
      checkDocumentLimits(parse('query A { a } query B { a { b { c } } }'), {
        ...DEFAULT_OPERATION_LIMITS,
        maxDepth: 2,
      }),
    ).toMatchObject({ code: 'OPERATION_TOO_DEEP', actual: 3 });
  });
});

describe('list sizes', () => {
  const sizes = (query: string, variables?: Record<string, unknown>, max = 100) => {
    const document = parse(query);
    const operation = document.definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    )!;
    return checkListSizes(document, operation, variables, max);
  };

  it('takes first and last as literals, at the bound and past it', () => {
    expect(sizes('{ schools(first: 100) { totalCount } }')).toBeUndefined();
    expect(sizes('{ schools(first: 101) { totalCount } }')).toMatchObject({
      code: 'LIST_TOO_LONG',
      limit: 100,
      actual: 101,
      message: expect.stringContaining('schools(first: 101)'),
    });
    expect(sizes('{ a: schools { nodes { reports(last: 7) { x } } } }', undefined, 5)).toMatchObject({
      code: 'LIST_TOO_LONG',
      actual: 7,
    });
  });

  it('takes variables, their defaults, and fragments the operation uses', () => {
    expect(sizes('query($n: Int) { schools(first: $n) { totalCount } }', { n: 100 })).toBeUndefined();
    expect(sizes('query($n: Int) { schools(first: $n) { totalCount } }', { n: 1000 })).toMatchObject({
      code: 'LIST_TOO_LONG',
      actual: 1000,
    });
    expect(sizes('query($n: Int = 500) { schools(first: $n) { totalCount } }', {})).toMatchObject({
      code: 'LIST_TOO_LONG',
      actual: 500,
    });
    expect(sizes('query($n: Int = 500) { schools(first: $n) { totalCount } }', { n: 5 })).toBeUndefined();
    expect(sizes('{ ...F } fragment F on Query { ... on Query { schools(first: 200) { totalCount } } }')).toMatchObject(
      { code: 'LIST_TOO_LONG', actual: 200 },
    );
  });

  it('leaves values it cannot size to the subgraph (strings and nulls fail type checks there)', () => {
    expect(sizes('query($n: Int) { schools(first: $n) { totalCount } }', { n: 'many' })).toBeUndefined();
    expect(sizes('query($n: Int) { schools(first: $n) { totalCount } }', { n: null })).toBeUndefined();
  });
});
