import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { checkOperationLimits, DEFAULT_OPERATION_LIMITS, type OperationLimits } from './operationLimits';

const check = (query: string, limits: Partial<OperationLimits> = {}) => {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  return checkOperationLimits(document, operation, { ...DEFAULT_OPERATION_LIMITS, ...limits });
};

describe('operation limits', () => {
  it('accepts an operation exactly at each bound and refuses one past it', () => {
    expect(check('{ a { b { c } } }', { maxDepth: 3 })).toBeUndefined();
    expect(check('{ a { b { c { d } } } }', { maxDepth: 3 })).toMatchObject({ code: 'OPERATION_TOO_DEEP', limit: 3, actual: 4 });
    expect(check('{ x: a y: b }', { maxAliases: 2 })).toBeUndefined();
    expect(check('{ x: a y: b z: c }', { maxAliases: 2 })).toMatchObject({ code: 'TOO_MANY_ALIASES', actual: 3 });
    expect(check('{ a b }', { maxRootFields: 2 })).toBeUndefined();
    expect(check('{ a b c }', { maxRootFields: 2 })).toMatchObject({ code: 'TOO_MANY_ROOT_FIELDS', actual: 3, message: 'The operation has 3 root fields; this hub accepts at most 2.' });
    expect(check('{ a { b c } }', { maxFields: 3 })).toBeUndefined();
    expect(check('{ a { b c d } }', { maxFields: 3 })).toMatchObject({ code: 'TOO_MANY_FIELDS', actual: 4 });
  });

  it('counts fragments at every use without expanding them: a fragment bomb is measured, not built', () => {
    // Each level doubles: 2^20 fields once expanded, measured in 20 steps.
    const levels = Array.from({ length: 20 }, (_, i) => `fragment F${i} on T { x: f ...F${i + 1} y: f ...F${i + 1} }`).join('\n');
    const bomb = `{ root { ...F0 } }\n${levels}\nfragment F20 on T { leaf }`;
    expect(check(bomb)).toMatchObject({ code: 'TOO_MANY_ALIASES' });
    expect(check(bomb, { maxAliases: Number.MAX_SAFE_INTEGER })).toMatchObject({ code: 'TOO_MANY_FIELDS', actual: expect.any(Number) });
    expect(check(bomb, { maxAliases: Number.MAX_SAFE_INTEGER })!.actual).toBeGreaterThan(1_000_000);
  });

  it('counts inline fragments and spreads at the root, and leaves introspection out', () => {
    expect(check('{ a ... on Query { b } ...R } fragment R on Query { c }', { maxRootFields: 2 })).toMatchObject({ code: 'TOO_MANY_ROOT_FIELDS', actual: 3 });
    expect(check('{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }', { maxDepth: 2 })).toBeUndefined();
  });
});
