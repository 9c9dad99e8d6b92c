import { parse } from 'graphql';
import { DEFAULT_CACHE_RULES_FILE, DEFAULT_CONSUMERS_FILE } from '../config';
import { compileOperationView } from '../enforcement';
import type { Identity } from '../consumers';
import { loadPolicySet } from '../policy';
import { FIXTURE_POLICY_DIR, compileYaml, fixturePolicies, supergraph } from '../policy/policyFixtures.test-helpers';
import { decideCaching, loadCacheRules, MAX_CACHE_TTL_SECONDS, parseCacheRules, responseCacheKey } from './cachePolicy';

const now = Date.parse('2026-11-27T12:00:00+08:00');
const { policySet } = loadPolicySet(
  { policyDir: FIXTURE_POLICY_DIR, consumersFile: DEFAULT_CONSUMERS_FILE },
  supergraph,
  { now },
);
const rules = loadCacheRules(DEFAULT_CACHE_RULES_FILE);
const identity = (consumer: string, purpose?: string): Identity => ({
  consumer: policySet!.consumers.consumers.get(consumer)!,
  purpose,
  roles: [],
  anonymous: consumer === 'public',
});
const view = (who: Identity, query: string, at = now) =>
  compileOperationView(policySet!, who, parse(query), undefined, 'h', at);

describe('cache decision', () => {
  it('takes the shortest TTL among the types released, public when all is UNCONDITIONAL', () => {
    const decision = decideCaching(
      view(identity('science', 'industrial-policy'), '{ districts(first: 2) { nodes { code name } } }'),
      policySet!,
      rules,
      now,
    );
    expect(decision).toMatchObject({ ttlSeconds: 300, scope: 'public', limitedBy: 'the TTL of District' });
    const prices = decideCaching(
      view(
        identity('science', 'industrial-policy'),
        '{ districts(first: 1) { nodes { name } } priceObservations(first: 1) { nodes { price } } }',
      ),
      policySet!,
      rules,
      now,
    );
    expect(prices).toMatchObject({ ttlSeconds: 30, limitedBy: 'the TTL of PriceObservation' });
  });

  it('caps CONDITIONAL data, refuses L4 data, and stops at the expiry of a grant the view uses', () => {
    const science = identity('science', 'industrial-policy');
    const projects = '{ investmentProjects(first: 1) { nodes { code feasibilitySummary } } }';
    expect(decideCaching(view(science, projects), policySet!, rules, now)).toMatchObject({
      ttlSeconds: 30,
      scope: 'private',
      limitedBy: 'InvestmentProject.feasibilitySummary is CONDITIONAL',
    });
    // A roster of pupils is L4 (minors' data): never cached, even under a grant.
    const analytics = identity('city-analytics', 'statistics');
    expect(
      decideCaching(
        view(analytics, '{ schools(first: 1) { nodes { students(first: 1) { nodes { grade } } } } }'),
        policySet!,
        rules,
        now,
      ),
    ).toMatchObject({ ttlSeconds: 0, limitedBy: 'School.students is L4' });
    // DRC-2026-004 runs until the end of 2027-06-30 (Beijing): 10 s before, the TTL is 10 s.
    const late = Date.parse('2027-07-01T00:00:00+08:00') - 10_000;
    expect(decideCaching(view(science, projects, late), policySet!, rules, late)).toMatchObject({
      ttlSeconds: 10,
      limitedBy: 'the expiry of a grant it uses',
    });
  });

  it('ignores denied fields, and uses the default TTL when no type has one', () => {
    const denied = decideCaching(
      view(
        identity('science', 'industrial-policy'),
        '{ schools(first: 1) { nodes { name students(first: 1) { nodes { name } } } } }',
      ),
      policySet!,
      rules,
      now,
    );
    expect(denied).toMatchObject({ ttlSeconds: 60, scope: 'public', limitedBy: 'the default TTL' });
  });

  it('keys entries by view: identical decisions share, any difference (grant, scope, mask) splits', () => {
    const key = (
      who: Identity,
      query = '{ schools(first: 1) { nodes { name students(first: 1) { nodes { grade } } } } }',
    ) =>
      responseCacheKey({
        supergraphVersion: 's',
        policyVersion: policySet!.version,
        view: view(who, query),
        operationName: null,
        variables: {},
      });
    expect(key(identity('science', 'industrial-policy'))).toBe(key(identity('development-reform', 'planning')));
    expect(key(identity('city-analytics', 'statistics'))).not.toBe(key(identity('science', 'industrial-policy')));
    expect(key(identity('district-haidian', 'enrollment-planning'))).not.toBe(
      key(identity('city-analytics', 'statistics')),
    ); // row scope 110108
    const variables = (v: Record<string, unknown>) =>
      responseCacheKey({
        supergraphVersion: 's',
        policyVersion: 'p',
        view: view(identity('science', 'industrial-policy'), '{ districts { nodes { name } } }'),
        operationName: null,
        variables: v,
      });
    expect(variables({ a: 1, b: 2 })).toBe(variables({ b: 2, a: 1 }));
    expect(variables({ a: 1 })).not.toBe(variables({ a: 2 }));
  });

  it('reads the rules file format', () => {
    expect(() => parseCacheRules({ defaultTtl: 'soon', caps: {} }, 'x.yaml')).toThrow(
      /x.yaml: defaultTtl: "soon" is not a duration/,
    );
    expect(parseCacheRules({ defaultTtl: '1m', caps: {} }, 'x.yaml')).toMatchObject({
      defaultTtlSeconds: 60,
      classCaps: { NOT_SHARED: 0 },
    });
  });

  it('refuses a TTL longer than 1 h, so every cursor in a cached page still opens (caps may be longer: they only shorten)', () => {
    expect(() => parseCacheRules({ defaultTtl: '61m', caps: {} }, 'x.yaml')).toThrow(
      /x.yaml: defaultTtl: 3660s is longer than the 3600s/,
    );
    expect(() => parseCacheRules({ defaultTtl: '1m', types: { District: '1d' }, caps: {} }, 'x.yaml')).toThrow(
      /types.District: 86400s/,
    );
    expect(
      parseCacheRules(
        { defaultTtl: '1h', types: { District: '1h' }, caps: { classes: { UNCONDITIONAL: '7d' } } },
        'x.yaml',
      ),
    ).toMatchObject({ defaultTtlSeconds: 3600, classCaps: { UNCONDITIONAL: 604_800 } });
    expect(MAX_CACHE_TTL_SECONDS).toBe(3600);
  });

  it('lets a CDO mark an L4 field cacheable: the class cap then applies instead', () => {
    const policies = fixturePolicies();
    policies['education.yaml'] = policies['education.yaml']!.replace(
      'students: { class: CONDITIONAL, level: L4,',
      'students: { class: CONDITIONAL, level: L4, cacheable: true,',
    ).replace('grade: { class: CONDITIONAL, level: L3 }', 'grade: { class: CONDITIONAL, level: L3, cacheable: true }');
    const { policySet: marked, problems } = compileYaml(policies, now);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    const analytics = {
      consumer: marked!.consumers.consumers.get('city-analytics')!,
      purpose: 'statistics',
      roles: [],
      anonymous: false,
    };
    const roster = compileOperationView(
      marked!,
      analytics,
      parse('{ schools(first: 1) { nodes { students(first: 1) { nodes { grade } } } } }'),
      undefined,
      'h',
      now,
    );
    expect(decideCaching(roster, marked!, rules, now)).toMatchObject({
      ttlSeconds: 30,
      limitedBy: 'School.students is CONDITIONAL',
    });
  });
});
