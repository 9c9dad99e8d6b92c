import { DEFAULT_CACHE_RULES_FILE, DEFAULT_CONSUMERS_FILE } from '../config';
import { loadPolicySet } from '../policy';
import { FIXTURE_POLICY_DIR, supergraph } from '../policy/policyFixtures.test-helpers';
import { loadCacheRules } from './cachePolicy';
import { entityKey, fetchCachingLimits, fetchKeyBase, fetchShape } from './fetchCachePolicy';

const now = Date.parse('2026-11-27T12:00:00+08:00');
const { policySet } = loadPolicySet(
  { policyDir: FIXTURE_POLICY_DIR, consumersFile: DEFAULT_CONSUMERS_FILE },
  supergraph,
  { now },
);
const rules = loadCacheRules(DEFAULT_CACHE_RULES_FILE);

const entities = (name: string, selection: string) =>
  `query ${name}($representations:[_Any!]!){_entities(representations:$representations){${selection}}}`;
const limits = (query: string, agency: string) => {
  const shape = fetchShape(query);
  if (shape.kind === 'uncacheable') throw new Error(shape.reason);
  return fetchCachingLimits(shape, policySet!, agency, rules);
};

describe('subgraph fetch caching', () => {
  it('tells entity fetches, root fetches and what is never cached apart', () => {
    expect(fetchShape(entities('A__education__1', '...on District{schoolCount}'))).toMatchObject({ kind: 'entities' });
    expect(fetchShape('query B__development_reform__0{districts(first:3){nodes{code name}}}')).toMatchObject({
      kind: 'root',
    });
    expect(fetchShape('mutation{updateSchoolEnrolment(code:"1",enrolment:2){code}}')).toMatchObject({
      kind: 'uncacheable',
      reason: 'not a query',
    });
    expect(fetchShape('{ nope')).toMatchObject({ kind: 'uncacheable' });
    expect(fetchShape(undefined)).toMatchObject({ kind: 'uncacheable' });
  });

  it('bounds a fetch by the fields it selects, as the fetched agency classes them', () => {
    expect(limits(entities('A__education__1', '...on District{schoolCount studentCount}'), 'education')).toMatchObject({
      ttlSeconds: 300,
      limitedBy: 'the TTL of District',
      types: ['District'],
    });
    expect(
      limits(
        entities(
          'C__science__2',
          '...on Organization{technologyContracts(role:SELLER,first:3){nodes{registrationNumber amount}}}',
        ),
        'science',
      ),
    ).toMatchObject({ ttlSeconds: 30, limitedBy: 'TechnologyContract.amount is CONDITIONAL' });
    // Minors' data (L4) is never cached at this layer either.
    expect(limits('query{schools(first:1){nodes{students(first:1){nodes{grade}}}}}', 'education').ttlSeconds).toBe(0);
    // A field the API schema does not know is unclassified: never cached.
    expect(limits(entities('D__education__1', '...on District{internalOnly}'), 'education')).toMatchObject({
      ttlSeconds: 0,
      limitedBy: 'District.internalOnly is not in the API schema',
    });
  });

  it('keys by selection, variables, scope and representation — not by the operation name', () => {
    const base = (query: string, extra: Partial<Parameters<typeof fetchKeyBase>[0]> = {}) => {
      const shape = fetchShape(query);
      if (shape.kind === 'uncacheable') throw new Error(shape.reason);
      return fetchKeyBase({
        supergraphVersion: 's1',
        policyVersion: 'p1',
        agency: 'education',
        selection: shape.selection,
        variables: { representations: [{ __typename: 'District', code: '110108' }] },
        scope: undefined,
        ...extra,
      });
    };
    const one = base(entities('First__education__1', '...on District{schoolCount}'));
    expect(base(entities('Second__education__3', '...on District{schoolCount}'))).toBe(one);
    expect(base(entities('First__education__1', '...on District{schoolCount studentCount}'))).not.toBe(one);
    expect(
      base(entities('First__education__1', '...on District{schoolCount}'), {
        scope: { fields: ['District.schoolCount'], scope: { districtCode: '110108' } },
      }),
    ).not.toBe(one);
    expect(base(entities('First__education__1', '...on District{schoolCount}'), { policyVersion: 'p2' })).not.toBe(one);
    expect(base(entities('First__education__1', '...on District{schoolCount}'), { agency: 'science' })).not.toBe(one);
    expect(
      base(entities('First__education__1', '...on District{schoolCount}'), {
        variables: { representations: [], first: 3 },
      }),
    ).not.toBe(one);
    // Defaults the planner copied from the client's operation decide the answer when no value is sent.
    expect(
      base('query A__development_reform__0($n:Int=5){districts(first:$n){nodes{code}}}', { variables: {} }),
    ).not.toBe(base('query B__development_reform__0($n:Int=40){districts(first:$n){nodes{code}}}', { variables: {} }));
    expect(base('query A__development_reform__0($n:Int=5){districts(first:$n){nodes{code}}}', { variables: {} })).toBe(
      base('query Other__development_reform__2($n:Int=5){districts(first:$n){nodes{code}}}', { variables: {} }),
    );
    // The representations are the entities' own keys, not the fetch's.
    expect(
      base(entities('First__education__1', '...on District{schoolCount}'), {
        variables: { representations: [{ __typename: 'District', code: '110101' }] },
      }),
    ).toBe(one);
    expect(entityKey(one, { code: '110108', __typename: 'District' })).toBe(
      entityKey(one, { __typename: 'District', code: '110108' }),
    );
    expect(entityKey(one, { __typename: 'District', code: '110101' })).not.toBe(
      entityKey(one, { __typename: 'District', code: '110108' }),
    );
  });
});
