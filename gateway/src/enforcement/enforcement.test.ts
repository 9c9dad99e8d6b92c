import { parse, print } from 'graphql';
import type { Identity } from '../consumers';
import { compileYaml, consumer, fixturePolicies, supergraph } from '../policy/policyFixtures.test-helpers';
import { buildConsumerSchema } from './consumerSchema';
import { compileOperationView, PLACEHOLDER_ALIAS } from './operationView';
import { shapeResponse } from './shapeResponse';

const now = Date.parse('2026-11-27T12:00:00+08:00');
const policySet = compileYaml(fixturePolicies(), now).policySet!;
const as = (id: string, purpose?: string): Identity => ({
  consumer: consumer(id),
  purpose,
  roles: [],
  anonymous: id === 'public',
});
const view = (identity: Identity, query: string, operationName?: string) =>
  compileOperationView(policySet, identity, parse(query), operationName, 'hash-of-original', now);
const mask = { hashKey: 'k', consumerId: 'x' };

describe('compileOperationView', () => {
  it('leaves an operation reading only shared fields untouched', () => {
    const v = view(as('science', 'industrial-policy'), '{ districts { nodes { name schoolCount } } }');
    expect(v.unrestricted).toBe(true);
    expect(v.queryHash).toBe('hash-of-original');
  });

  it('removes denied fields before planning, wherever they are reached', () => {
    const v = view(
      as('district-haidian', 'enrollment-planning'),
      `query Q($x: Boolean!) { a: school(code: "2111000017") { students { nodes { n: name idNumber ...G ... on Student { guardianPhone @include(if: $x) } } } } }
       fragment G on Student { grade birthDate }`,
    );
    const text = print(v.document);
    expect(text).not.toMatch(/idNumber|guardianPhone|birthDate/);
    expect(text).toMatch(/n: name/);
    expect(text).toMatch(/grade/);
    expect(v.queryHash).not.toBe('hash-of-original');
    expect(v.grants.map((g) => g.id)).toEqual(['EDU-2026-001']);
    expect(v.scopes).toEqual({
      education: { scope: { districtCode: '110108' }, fields: ['School.students', 'Student.name', 'Student.grade'] },
    });
  });

  it('keeps an aliased __typename where every field of a selection was removed', () => {
    const v = view(
      as('science', 'industrial-policy'),
      '{ school(code: "2111000017") { students { nodes { idNumber } } } }',
    );
    expect(print(v.document)).toContain(`${PLACEHOLDER_ALIAS}: __typename`);
  });

  it('gives identical decisions the same fingerprint and different ones different fingerprints', () => {
    const query = '{ school(code: "2111000017") { name students { nodes { name } } } }';
    expect(view(as('science', 'industrial-policy'), query).fingerprint).toBe(
      view(as('development-reform', 'planning'), query).fingerprint,
    );
    expect(view(as('district-haidian', 'enrollment-planning'), query).fingerprint).not.toBe(
      view(as('science', 'industrial-policy'), query).fingerprint,
    );
  });
});

describe('shapeResponse', () => {
  const query = `query Q($x: Boolean!) { s: school(code: "2111000017") { name students { nodes { n: name grade idNumber again: idNumber @include(if: $x) } } } }`;

  it('masks at every path, nulls withheld fields and groups errors per coordinate', () => {
    const v = view(as('district-haidian', 'enrollment-planning'), query);
    // The view asks each thresholded roster's count under the probe alias; the agencies' answer carries it.
    const fetched = {
      s: {
        name: '第一小学',
        students: {
          hubCount__totalCount: 30,
          nodes: [
            { n: '张晓明', grade: 3 },
            { n: '欧阳娜娜', grade: 4 },
          ],
        },
      },
    };
    const shaped = shapeResponse(
      supergraph.apiSchema,
      parse(query),
      undefined,
      { x: true },
      v.decisions,
      fetched,
      mask,
    );
    expect(shaped.data).toEqual({
      s: {
        name: '第一小学',
        students: {
          nodes: [
            { n: '张**', grade: 3, idNumber: null, again: null },
            { n: '欧阳**', grade: 4, idNumber: null, again: null },
          ],
        },
      },
    });
    expect(shaped.withheld).toHaveLength(1);
    expect(shaped.withheld[0]).toMatchObject({
      coordinate: 'Student.idNumber',
      paths: ['s.students.nodes.idNumber', 's.students.nodes.again'],
      firstPath: ['s', 'students', 'nodes', 0, 'idNumber'],
    });
  });

  it('respects @skip/@include when reporting withheld fields', () => {
    const v = view(as('district-haidian', 'enrollment-planning'), query);
    const fetched = { s: { name: 'x', students: { hubCount__totalCount: 30, nodes: [{ n: '李雷', grade: 1 }] } } };
    const shaped = shapeResponse(
      supergraph.apiSchema,
      parse(query),
      undefined,
      { x: false },
      v.decisions,
      fetched,
      mask,
    );
    expect(shaped.data).toEqual({ s: { name: 'x', students: { nodes: [{ n: '李*', grade: 1, idNumber: null }] } } });
    expect(shaped.withheld[0]!.paths).toEqual(['s.students.nodes.idNumber']);
  });

  it('reads @skip/@include per request when one parsed document serves several (as Apollo Server keeps them)', () => {
    // The fields collected per selection are kept with the document; a directive reading a
    // variable must still be decided on each request's own variables.
    const document = parse(query);
    const v = view(as('district-haidian', 'enrollment-planning'), query);
    const fetched = { s: { name: 'x', students: { hubCount__totalCount: 30, nodes: [{ n: '李雷', grade: 1 }] } } };
    const shape = (x: boolean) =>
      shapeResponse(supergraph.apiSchema, document, undefined, { x }, v.decisions, fetched, mask);
    expect(shape(true).withheld[0]!.paths).toEqual(['s.students.nodes.idNumber', 's.students.nodes.again']);
    expect(shape(false).withheld[0]!.paths).toEqual(['s.students.nodes.idNumber']);
    expect(shape(true).data).toEqual({
      s: { name: 'x', students: { nodes: [{ n: '李*', grade: 1, idNumber: null, again: null }] } },
    });
  });

  it('shapes one parsed document for each view on its own decisions', () => {
    // One document, two consumers: what one view decided (withheld, masked) never carries over to the other.
    const q = '{ s: school(code: "2111000017") { name students { nodes { n: name grade } } } }';
    const document = parse(q);
    const fetched = { s: { name: 'x', students: { hubCount__totalCount: 30, nodes: [{ n: '李雷', grade: 1 }] } } };
    const haidian = view(as('district-haidian', 'enrollment-planning'), q);
    const science = view(as('science', 'industrial-policy'), q);
    const first = shapeResponse(supergraph.apiSchema, document, undefined, {}, haidian.decisions, fetched, mask);
    const second = shapeResponse(supergraph.apiSchema, document, undefined, {}, science.decisions, fetched, mask);
    const again = shapeResponse(supergraph.apiSchema, document, undefined, {}, haidian.decisions, fetched, mask);
    expect(first.data).toEqual({ s: { name: 'x', students: { nodes: [{ n: '李*', grade: 1 }] } } });
    expect(second.data).toEqual({ s: { name: 'x', students: null } });
    expect(second.withheld.map((w) => w.coordinate)).toEqual(['School.students']);
    expect(again).toEqual(first);
    expect(first.entities).toEqual({ education: 2 });
  });

  it('nulls the nearest nullable parent of a withheld non-null field', () => {
    // TechnologyContract.type is non-null and not open data: the public loses the whole contract,
    // which nulls the non-null list item, the list, and up to the nullable connection.
    const q = '{ technologyContract(registrationNumber: "x") { registrationNumber type } }';
    const v = view(as('public'), q);
    const shaped = shapeResponse(
      supergraph.apiSchema,
      parse(q),
      undefined,
      {},
      v.decisions,
      { technologyContract: { registrationNumber: 'x' } },
      mask,
    );
    expect(shaped.data).toEqual({ technologyContract: null });
  });
});

describe('buildConsumerSchema', () => {
  it('shows each consumer only the fields it may read', () => {
    const haidian = buildConsumerSchema(policySet, as('district-haidian', 'enrollment-planning'), now).schema;
    const fields = Object.keys((haidian.getType('Student') as import('graphql').GraphQLObjectType).getFields());
    expect(fields.sort()).toEqual(['grade', 'name']);
    const science = buildConsumerSchema(policySet, as('science', 'industrial-policy'), now).schema;
    expect(science.getType('Student')).toBeUndefined();
    expect(Object.keys((science.getType('School') as import('graphql').GraphQLObjectType).getFields())).not.toContain(
      'students',
    );
  });

  it('gives a consumer who may read nothing a valid schema', () => {
    const bare = compileYaml({ 'education.yaml': 'agency: education\ntypes: {}\n' }, now).policySet!;
    const schema = buildConsumerSchema(bare, as('public'), now).schema;
    expect(Object.keys(schema.getQueryType()!.getFields())).toEqual(['_noReadableFields']);
  });
});
