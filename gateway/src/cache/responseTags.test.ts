import { parse } from 'graphql';
import { supergraph } from '../policy/policyFixtures.test-helpers';
import { entityTags, invalidationTags, responseTags } from './responseTags';

const tags = (query: string, data: Record<string, unknown>) =>
  responseTags(supergraph.apiSchema, supergraph.ownership.keys, parse(query), undefined, {}, data);

describe('response tags', () => {
  it('tags each entity by its key, through aliases, and each type held', () => {
    expect(
      tags('{ s: school(code: "1") { id: code name district { code } } }', {
        s: { id: '1', name: 'A', district: { code: '110108' } },
      }),
    ).toEqual(['District:110108', 'School:1', 'type:District', 'type:School']);
  });

  it('marks a type whose entities came without their key, and skips nulls', () => {
    expect(tags('{ schools(first: 2) { nodes { name } } }', { schools: { nodes: [{ name: 'A' }, null] } })).toEqual([
      'type:School',
      'type:SchoolConnection',
      'unkeyed:School',
    ]);
  });

  it('tags an entity fetched by its representation, and the entities below it by theirs', () => {
    const document = parse(
      'query($representations:[_Any!]!){_entities(representations:$representations){...on School{name constructionProjects{code district{code}}}...on District{schoolCount}}}',
    );
    const selection = (document.definitions[0] as any).selectionSet.selections[0].selectionSet;
    const school = entityTags(
      supergraph.apiSchema,
      supergraph.ownership.keys,
      document,
      selection,
      {},
      { __typename: 'School', code: '1111000062' },
      {
        name: 'A',
        constructionProjects: [{ code: 'P1', district: { code: '110119' } }],
      },
    );
    expect(school).toEqual([
      'District:110119',
      'InvestmentProject:P1',
      'School:1111000062',
      'type:District',
      'type:InvestmentProject',
      'type:School',
    ]);
    // The entity's own key comes from its representation, even when the selection does not repeat it.
    expect(
      entityTags(
        supergraph.apiSchema,
        supergraph.ownership.keys,
        document,
        selection,
        {},
        { __typename: 'District', code: '110108' },
        { schoolCount: 3 },
      ),
    ).toEqual(['District:110108', 'type:District']);
  });

  it('purges an entity by its own tag and its type’s unkeyed tag, a type by its type tag', () => {
    expect(invalidationTags([{ type: 'School', key: '1' }, { type: 'District' }])).toEqual([
      'School:1',
      'type:District',
      'unkeyed:School',
    ]);
  });
});
