import { parse } from 'graphql';
import { reservedAliasIn } from './reservedAliases';

describe('reservedAliasIn', () => {
  it('finds a reserved alias anywhere: nested, in inline fragments, in fragment definitions', () => {
    expect(reservedAliasIn(parse('{ a { b { hubCount__totalCount: __typename } } }'))).toBe('hubCount__totalCount');
    expect(reservedAliasIn(parse('{ a { ... on A { hubConcreteType__typename: __typename } } }'))).toBe(
      'hubConcreteType__typename',
    );
    expect(reservedAliasIn(parse('{ a { ...F } } fragment F on A { x: b { hubPlaceholder__typename: c } }'))).toBe(
      'hubPlaceholder__typename',
    );
    expect(reservedAliasIn(parse('{ hubAnythingNew__x: a }'))).toBe('hubAnythingNew__x');
  });

  it('lets every other alias through, including ones that merely look alike', () => {
    expect(reservedAliasIn(parse('{ hub: a { hub_count: b hubCount: c count__x: d } }'))).toBeUndefined();
    expect(reservedAliasIn(parse('{ hubCount__totalCount }'))).toBeUndefined(); // a field name, not an alias
  });
});
