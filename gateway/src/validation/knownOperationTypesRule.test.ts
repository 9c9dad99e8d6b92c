import { buildSchema, parse, validate } from 'graphql';
import { KnownOperationTypesRule } from './knownOperationTypesRule';

describe('KnownOperationTypesRule', () => {
  const schema = buildSchema('type Query { a: Int } type Mutation { b: Int }');
  const errors = (text: string) => validate(schema, parse(text), [KnownOperationTypesRule]).map((e) => e.message);

  it('accepts operations of the root types the schema defines', () => {
    expect(errors('query { a } mutation { b }')).toEqual([]);
  });

  it('refuses an operation of a type the schema lacks', () => {
    expect(errors('subscription S { a }')).toEqual(['The schema has no subscription operations.']);
    expect(
      validate(buildSchema('type Query { a: Int }'), parse('mutation { b }'), [KnownOperationTypesRule])[0]?.message,
    ).toBe('The schema has no mutation operations.');
  });
});
