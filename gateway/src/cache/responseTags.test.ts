import { parse } from 'graphql';
import { supergraph } from '../policy/policyFixtures.test-helpers';
import { invalidationTags, responseTags } from './responseTags';

const tags = (query: string, data: Record<string, unknown>) => responseTags(supergraph.apiSchema, supergraph.ownership.keys, parse(query), undefined, {}, data);

describe('response tags', () => {
  it('tags each entity by its key, through aliases, and each type held', () => {
    expect(tags('{ s: school(code: "1") { id: code name district { code } } }', { s: { id: '1', name: 'A', district: { code: '110108' } } })).toEqual(['District:110108', 'School:1', 'type:District', 'type:School']);
  });

  it('marks a type whose entities came without their key, and skips nulls', () => {
    expect(tags('{ schools(first: 2) { nodes { name } } }', { schools: { nodes: [{ name: 'A' }, null] } })).toEqual(['type:School', 'type:SchoolConnection', 'unkeyed:School']);
  });

  it('purges an entity by its own tag and its type’s unkeyed tag, a type by its type tag', () => {
    expect(invalidationTags([{ type: 'School', key: '1' }, { type: 'District' }])).toEqual(['School:1', 'type:District', 'unkeyed:School']);
  });
});
