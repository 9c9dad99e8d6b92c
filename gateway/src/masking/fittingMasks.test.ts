import { GraphQLFloat, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLString } from 'graphql';
import { masksFitting } from './fittingMasks';

describe('the masks a field of a type may carry', () => {
  it('offers the text masks for strings, and null only where the field may be null', () => {
    expect(masksFitting(GraphQLString)).toEqual(['name', 'idNumber', 'mobile', 'address', 'yearOnly', 'hash', 'null']);
    expect(masksFitting(new GraphQLNonNull(GraphQLString))).not.toContain('null');
    expect(masksFitting(new GraphQLList(GraphQLString))).toContain('name');
  });

  it('offers rounding for numbers and nothing textual', () => {
    expect(masksFitting(GraphQLFloat)).toEqual(['round(n)', 'null']);
    expect(masksFitting(new GraphQLNonNull(GraphQLInt))).toEqual(['round(n)']);
  });
});
