import { buildSchema, parse, print } from 'graphql';
import type { FieldDecision } from '../policy';
import { removeDeniedFields, TYPENAME_ALIAS } from './operationView';
import { shapeResponse } from './shapeResponse';

// The supergraph has no interfaces or unions yet; a small schema with both shows that decisions
// are made per concrete type and that a field denied on one implementation is never fetched for it.
const schema = buildSchema(`
  interface Holder { id: ID! secret: String }
  type Person implements Holder { id: ID! secret: String nickname: String }
  type Firm implements Holder { id: ID! secret: String }
  union Party = Person | Firm
  type Query { holders: [Holder!]! parties: [Party!]! }
`);

const allow = { effect: 'allow', rulings: [], grants: [], validUntil: Infinity } as FieldDecision;
const deny = {
  effect: 'deny',
  code: 'FIELD_NOT_SHARED',
  agency: 'test',
  rulings: [],
  grants: [],
  validUntil: Infinity,
} as FieldDecision;
const decisions = new Map<string, FieldDecision>([
  ['Query.holders', allow],
  ['Query.parties', allow],
  ['Person.id', allow],
  ['Firm.id', allow],
  ['Person.secret', allow],
  ['Firm.secret', deny],
  ['Person.nickname', deny],
]);
const mask = { hashKey: 'k', consumerId: 'c' };

describe('interfaces and unions', () => {
  it('keeps a field selected on an interface only under the implementations that may read it', () => {
    const rewritten = print(removeDeniedFields(schema, parse('{ holders { id secret } }'), decisions));
    expect(rewritten).toContain('... on Person');
    expect(rewritten).not.toContain('... on Firm');
    expect(rewritten).toContain(`${TYPENAME_ALIAS}: __typename`);
  });

  it('drops denied fields inside union spreads', () => {
    const rewritten = print(
      removeDeniedFields(
        schema,
        parse('{ parties { ... on Person { id nickname } ... on Firm { id secret } } }'),
        decisions,
      ),
    );
    expect(rewritten).not.toMatch(/nickname|secret/);
  });

  it('reshapes per concrete type, nulling what one implementation withholds', () => {
    const query = '{ holders { id secret } parties { ... on Person { nickname } ... on Firm { secret } } }';
    const fetched = {
      holders: [
        { id: '1', secret: 'p-secret', [TYPENAME_ALIAS]: 'Person' },
        { id: '2', [TYPENAME_ALIAS]: 'Firm' },
      ],
      parties: [{ [TYPENAME_ALIAS]: 'Person' }, { [TYPENAME_ALIAS]: 'Firm' }],
    };
    const shaped = shapeResponse(schema, parse(query), undefined, {}, decisions, fetched, mask);
    expect(shaped.data).toEqual({
      holders: [
        { id: '1', secret: 'p-secret' },
        { id: '2', secret: null },
      ],
      parties: [{ nickname: null }, { secret: null }],
    });
    expect(shaped.withheld.map((w) => w.coordinate).sort()).toEqual(['Firm.secret', 'Person.nickname']);
  });
});
