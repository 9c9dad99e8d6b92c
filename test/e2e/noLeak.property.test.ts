import { ERROR_CATALOGUE } from '@cdo-hub/gateway/errors';
import fc from 'fast-check';
import { getNamedType, isLeafType, isObjectType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { loadSupergraphFile, DEFAULT_SUPERGRAPH_FILE } from '@cdo-hub/gateway';
import { as, HubProcess } from '../harness/hubProcess';

// Property: whatever operation a consumer sends — any fields, aliases, inline and named fragments,
// @include — no response body contains a NOT_SHARED value of an agency other than the consumer's
// own. Operations are generated from the API schema; the oracle is the raw sensitive values read
// from the agencies' databases, not the gateway's own decisions.

const RUNS = Number(process.env.NO_LEAK_RUNS ?? 120);
const TOWARDS_SENSITIVE = new Set(['students', 'nodes', 'school', 'idNumber', 'guardianPhone', 'studentNumber', 'contactIdNumber', 'contactMobile', 'researchProjects', 'principalInvestigatorIdNumber', 'principalInvestigatorPhone', 'constructionProjects', 'investmentProjects']);
const schema: GraphQLSchema = loadSupergraphFile(DEFAULT_SUPERGRAPH_FILE).apiSchema;

let hub: HubProcess;
/** Sensitive values per owning agency. */
const sensitive = new Map<string, Set<string>>();
let roots: { field: string; args: string }[];

const CONSUMERS: readonly (readonly [string, string | undefined, string | undefined])[] = [
  ['public', undefined, undefined],
  ['science', 'industrial-policy', 'science'],
  ['development-reform', 'planning', 'development-reform'],
  ['education', 'operations', 'education'],
  ['district-haidian', 'enrollment-planning', undefined],
  ['district-haidian', 'planning', undefined],
  ['city-analytics', 'statistics', undefined],
];

beforeAll(async () => {
  hub = await HubProcess.start();
  const education = hub.database('education');
  const drc = hub.database('development-reform');
  const science = hub.database('science');
  const school = education.get<{ code: string; uscc: string }>("SELECT code, uscc FROM schools WHERE district_code = '110108' AND enrolment > 5 ORDER BY code")!;
  const project = drc.get<{ code: string }>('SELECT code FROM investment_projects WHERE school_code IS NOT NULL ORDER BY code')!;
  const university = education.get<{ uscc: string }>("SELECT uscc FROM schools WHERE type = 'HIGHER_EDUCATION' ORDER BY code")!;
  const research = science.get<{ project_number: string }>('SELECT project_number FROM research_projects ORDER BY project_number')!;
  sensitive.set('education', new Set(education.all<{ a: string; b: string }>('SELECT id_number AS a, guardian_phone AS b FROM students').flatMap((r) => [r.a, r.b])));
  sensitive.set('development-reform', new Set(drc.all<{ a: string; b: string }>('SELECT contact_id_number AS a, contact_mobile AS b FROM investment_projects').flatMap((r) => [r.a, r.b])));
  sensitive.set('science', new Set(science.all<{ a: string; b: string }>('SELECT pi_id_number AS a, pi_phone AS b FROM research_projects').flatMap((r) => [r.a, r.b])));
  roots = [
    { field: 'school', args: `(code: "${school.code}")` },
    { field: 'schools', args: '(districtCode: "110108", first: 5)' },
    { field: 'organization', args: `(uscc: "${university.uscc}")` },
    { field: 'organization', args: `(uscc: "${school.uscc}")` },
    { field: 'investmentProject', args: `(code: "${project.code}")` },
    { field: 'investmentProjects', args: '(first: 5)' },
    { field: 'researchProject', args: `(projectNumber: "${research.project_number}")` },
    { field: 'districts', args: '(first: 3)' },
  ];
  for (const db of [education, drc, science]) db.close();
});

afterAll(async () => {
  await hub?.stop();
});

/** A random selection set on `type`, `depth` levels deep at most, with aliases and fragments. */
function selectionArbitrary(type: GraphQLObjectType, depth: number): fc.Arbitrary<{ text: string; fragments: string[] }> {
  const fields = Object.values(type.getFields()).filter((field) => !field.args.some((arg) => String(arg.type).endsWith('!')));
  // Paths towards sensitive data are drawn more often, so the operations do reach it.
  const weighted = fields.map((field) => ({ arbitrary: fc.constant(field), weight: TOWARDS_SENSITIVE.has(field.name) ? 8 : 1 }));
  const fieldArbitrary = fc.oneof(...weighted).chain((field) => {
    const named = getNamedType(field.type);
    const args = field.args.some((a) => a.name === 'first') ? '(first: 20)' : '';
    const sub: fc.Arbitrary<{ text: string; fragments: string[] }> =
      isLeafType(named) || !isObjectType(named) || depth === 0 ? fc.constant({ text: '', fragments: [] }) : selectionArbitrary(named, depth - 1);
    return fc.record({ alias: fc.option(fc.constantFrom('a', 'b', 'x1', 'other'), { nil: undefined }), include: fc.boolean(), sub }).map(({ alias, include, sub: inner }) => {
      if (!isLeafType(named) && !inner.text) return { text: '__typename', fragments: [] };
      const head = `${alias ? `${alias}_${field.name}: ` : ''}${field.name}${args}${include ? ' @include(if: $on)' : ''}`;
      return { text: isLeafType(named) ? head : `${head} { ${inner.text} }`, fragments: inner.fragments };
    });
  });
  return fc.array(fieldArbitrary, { minLength: 1, maxLength: 5 }).chain((selections) =>
    fc.constantFrom('plain', 'inline', 'named').map((wrap) => {
      const body = selections.map((s) => s.text).join(' ');
      const fragments = selections.flatMap((s) => s.fragments);
      if (wrap === 'inline') return { text: `... on ${type.name} { ${body} }`, fragments };
      if (wrap === 'named') {
        const name = `F${type.name}${fragments.length}${Math.abs(hashOf(body)) % 100000}`;
        return { text: `...${name}`, fragments: [...fragments, `fragment ${name} on ${type.name} { ${body} }`] };
      }
      return { text: body, fragments };
    }),
  );
}

function hashOf(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}

it(`no operation leaks another agency's NOT_SHARED values (${RUNS} generated operations)`, async () => {
  let ownerSawSensitive = 0;
  const query = schema.getQueryType()!;
  const operation = fc
    .integer({ min: 0, max: roots.length - 1 })
    .chain((index) => {
      const root = roots[index]!;
      const type = getNamedType(query.getFields()[root.field]!.type) as GraphQLObjectType;
      return selectionArbitrary(type, 4).map((selection) => {
        const fragments = [...new Set(selection.fragments)].join('\n');
        return `query Generated($on: Boolean!) { ${root.field}${root.args} { ${selection.text} } }\n${fragments}`;
      });
    });
  await fc.assert(
    fc.asyncProperty(operation, fc.constantFrom(...CONSUMERS), fc.boolean(), async (text, [consumer, purpose, ownAgency], on) => {
      const headers = consumer === 'public' ? {} : await as(consumer, purpose);
      const { status, body } = await hub.query(text, { on }, headers);
      expect([200, 400]).toContain(status);
      for (const error of body.errors ?? []) expect(Object.keys(ERROR_CATALOGUE)).toContain(error.extensions?.code);
      const json = JSON.stringify(body);
      for (const [agency, values] of sensitive) {
        const found = [...values].some((value) => json.includes(value));
        if (agency === ownAgency) ownerSawSensitive += found ? 1 : 0;
        else expect(found ? `${consumer} read ${agency}'s NOT_SHARED data: ${text}` : 'no leak').toBe('no leak');
      }
    }),
    { numRuns: RUNS, seed: Number(process.env.NO_LEAK_SEED ?? 20261127) },
  );
  // The oracle is exercised: the owners themselves did reach their sensitive values.
  expect(ownerSawSensitive).toBeGreaterThan(0);
});
