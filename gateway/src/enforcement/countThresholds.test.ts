import { parse, print } from 'graphql';
import type { Identity } from '../consumers';
import { compileTestPolicies, TEST_NOW, testSupergraph } from '../policy/argumentsGraph.test-helpers';
import { consumer } from '../policy/policyFixtures.test-helpers';
import { COUNT_PROBE_ALIAS } from './countThresholds';
import { denialErrors } from './denialErrors';
import { compileOperationView } from './operationView';
import { shapeResponse } from './shapeResponse';

// Minimum cell sizes, applied to each answer after the caches: below the threshold withheld,
// at it shown, 0 shown; the agency itself sees true counts.
const policySet = compileTestPolicies().policySet!;
const schema = testSupergraph().apiSchema;
const as = (id: string, purpose?: string): Identity => ({
  consumer: consumer(id),
  purpose,
  roles: [],
  anonymous: id === 'public',
});
const mask = { hashKey: 'k', consumerId: 'x' };
const counts = '{ schools { code studentCount } }';

function shaped(identity: Identity, query: string, fetched: Record<string, unknown>) {
  const v = compileOperationView(policySet, identity, parse(query), undefined, 'hash-of-original', TEST_NOW);
  return { view: v, ...shapeResponse(schema, parse(query), undefined, {}, v.decisions, fetched, mask, v.argumentsOf) };
}

describe('a count with a minimum cell size', () => {
  const fetched = {
    schools: [
      { code: 'a', studentCount: 4 },
      { code: 'b', studentCount: 5 },
      { code: 'c', studentCount: 0 },
      { code: 'd', studentCount: 1 },
      { code: 'e', studentCount: null },
    ],
  };

  it('is withheld below the threshold, shown at it and above, and shown when 0', () => {
    const { data, withheld } = shaped(as('public'), counts, fetched);
    expect(data).toEqual({
      schools: [
        { code: 'a', studentCount: null },
        { code: 'b', studentCount: 5 },
        { code: 'c', studentCount: 0 },
        { code: 'd', studentCount: null },
        { code: 'e', studentCount: null },
      ],
    });
    const errors = denialErrors(withheld);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.extensions).toMatchObject({
      code: 'SMALL_COUNT_WITHHELD',
      agency: 'education',
      coordinate: 'School.studentCount',
      minCount: 5,
      paths: ['schools.studentCount'],
    });
    expect(errors[0]!.path).toEqual(['schools', 0, 'studentCount']);
  });

  it('is true for the agency that set it, whose view is not reshaped', () => {
    const own = compileOperationView(
      policySet,
      as('education', 'operations'),
      parse(counts),
      undefined,
      'hash-of-original',
      TEST_NOW,
    );
    expect(own.unrestricted).toBe(true);
    expect(shaped(as('science', 'industrial-policy'), counts, fetched).view.unrestricted).toBe(false);
  });

  it('leaves the document, its hash and the fingerprint as they are, so the cached answer is shared', () => {
    const own = compileOperationView(
      policySet,
      as('education', 'operations'),
      parse(counts),
      undefined,
      'hash-of-original',
      TEST_NOW,
    );
    const others = shaped(as('public'), counts, fetched).view;
    expect(others.queryHash).toBe('hash-of-original');
    expect(others.fingerprint).toBe(own.fingerprint);
  });
});

describe('a connection with a minimum cell size', () => {
  const query = '{ schools { code students { nodes { grade } } } }';

  it('asks its totalCount under a probe, also when the client does not', () => {
    const { view } = shaped(as('city-analytics', 'statistics'), query, { schools: [] });
    expect(print(view.document)).toContain(`${COUNT_PROBE_ALIAS}: totalCount`);
    expect(view.queryHash).not.toBe('hash-of-original');
    const own = compileOperationView(
      policySet,
      as('education', 'operations'),
      parse(query),
      undefined,
      'hash-of-original',
      TEST_NOW,
    );
    expect(print(own.document)).not.toContain(COUNT_PROBE_ALIAS);
  });

  it('is withheld whole when its count is small, items and all, and shown otherwise', () => {
    const pupils = (n: number) => ({
      nodes: Array.from({ length: n }, (_, i) => ({ grade: (i % 6) + 1 })),
      [COUNT_PROBE_ALIAS]: n,
    });
    const { data, withheld } = shaped(as('city-analytics', 'statistics'), query, {
      schools: [
        { code: 'a', students: pupils(4) },
        { code: 'b', students: pupils(5) },
        { code: 'c', students: pupils(0) },
      ],
    });
    expect(data).toEqual({
      schools: [
        { code: 'a', students: null },
        { code: 'b', students: { nodes: pupils(5).nodes } },
        { code: 'c', students: { nodes: [] } },
      ],
    });
    expect(denialErrors(withheld).map((e) => e.extensions)).toEqual([
      expect.objectContaining({
        code: 'SMALL_COUNT_WITHHELD',
        coordinate: 'School.students',
        minCount: 5,
        paths: ['schools.students'],
      }),
    ]);
  });

  it('is withheld when its probe did not come back as a count: it cannot be shown to be large', () => {
    const { data } = shaped(as('city-analytics', 'statistics'), query, {
      schools: [
        { code: 'a', students: { nodes: [{ grade: 1 }], [COUNT_PROBE_ALIAS]: 'School' } },
        { code: 'b', students: { nodes: [{ grade: 2 }] } },
      ],
    });
    expect(data).toEqual({
      schools: [
        { code: 'a', students: null },
        { code: 'b', students: null },
      ],
    });
  });
});
