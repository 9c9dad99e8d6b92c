import { ERROR_CATALOGUE } from '@cdo-hub/gateway/errors';
import fc from 'fast-check';
import { getNamedType, isLeafType, isObjectType, type GraphQLField, type GraphQLObjectType } from 'graphql';
import { CanaryHub, formatFindings, isConnectionType, type View } from '../harness/canary';

// Property: whatever operation a view sends — any fields, aliases, inline and named fragments,
// @include, page sizes — no byte it receives holds a value it may not read. Operations are
// generated from the API schema and drawn towards protected fields; every protected column holds
// canaries, and the canary oracle (test/harness/canary) judges each answer from the policy files,
// not from the gateway's own decisions: body, errors, extensions, headers, cursors and any encoded
// substring, decoded; each operation is sent twice (the second answer may come from the cache) and
// once over GET. A CI-sized run by default; CANARY_RUNS=2000 (and CANARY_SEED) for more locally.

const RUNS = Number(process.env.CANARY_RUNS ?? process.env.NO_LEAK_RUNS ?? 300);
const SEED = Number(process.env.CANARY_SEED ?? process.env.NO_LEAK_SEED ?? 20261127);

let hub: CanaryHub;
let roots: { field: string; args: string }[];
/** Field coordinates towards protected data: the protected fields themselves and the fields that lead to them. */
let towardsProtected: Set<string>;

beforeAll(async () => {
  hub = await CanaryHub.start();
  const education = hub.hub.database('education');
  const drc = hub.hub.database('development-reform');
  const science = hub.hub.database('science');
  try {
    const school = (where: string) =>
      education.get<{ code: string; uscc: string }>(
        `SELECT code, uscc FROM schools WHERE ${where} AND enrolment > 5 ORDER BY code`,
      )!;
    const haidianSchool = school("district_code = '110108'");
    const otherSchool = school("district_code <> '110108'");
    const university = school("type = 'HIGHER_EDUCATION'");
    const schoolProject = drc.get<{ code: string }>(
      'SELECT code FROM investment_projects WHERE school_code IS NOT NULL ORDER BY code',
    )!;
    const otherProject = drc.get<{ code: string }>(
      "SELECT code FROM investment_projects WHERE district_code <> '110108' ORDER BY code",
    )!;
    const research = science.get<{ project_number: string }>(
      'SELECT project_number FROM research_projects ORDER BY project_number',
    )!;
    const contract = science.get<{ registration_number: string; seller_uscc: string }>(
      'SELECT registration_number, seller_uscc FROM technology_contracts ORDER BY registration_number',
    )!;
    const certificate = science.get<{ certificate_number: string }>(
      'SELECT certificate_number FROM high_tech_enterprises ORDER BY certificate_number',
    )!;
    roots = [
      { field: 'school', args: `(code: "${haidianSchool.code}")` },
      { field: 'school', args: `(code: "${otherSchool.code}")` },
      { field: 'schools', args: '(districtCode: "110108", first: 5)' },
      { field: 'schools', args: '(first: 8)' },
      { field: 'organization', args: `(uscc: "${university.uscc}")` },
      { field: 'organization', args: `(uscc: "${haidianSchool.uscc}")` },
      { field: 'organization', args: `(uscc: "${contract.seller_uscc}")` },
      { field: 'investmentProject', args: `(code: "${schoolProject.code}")` },
      { field: 'investmentProject', args: `(code: "${otherProject.code}")` },
      { field: 'investmentProjects', args: '(first: 5)' },
      { field: 'investmentProjects', args: '(districtCode: "110108", first: 5)' },
      { field: 'researchProject', args: `(projectNumber: "${research.project_number}")` },
      { field: 'technologyContract', args: `(registrationNumber: "${contract.registration_number}")` },
      { field: 'highTechEnterprise', args: `(certificateNumber: "${certificate.certificate_number}")` },
      { field: 'highTechEnterprises', args: '(first: 5)' },
      { field: 'districts', args: '(first: 3)' },
      { field: 'district', args: '(code: "110108")' },
    ];
  } finally {
    for (const db of [education, drc, science]) db.close();
  }
  towardsProtected = fieldsTowardsProtected();
}, 120_000);

afterAll(async () => {
  await hub?.stop();
});

/** Protected fields (CONDITIONAL or NOT_SHARED for some agency), and every field whose type (or its connection's nodes) has one, plus the cursor. */
function fieldsTowardsProtected(): Set<string> {
  const holdsProtected = (type: GraphQLObjectType) =>
    Object.values(type.getFields()).some((f) =>
      (hub.policy.resolvers.get(`${type.name}.${f.name}`) ?? []).some(
        (agency) => hub.policy.classify(`${type.name}.${f.name}`, agency).sharingClass !== 'UNCONDITIONAL',
      ),
    );
  const towards = new Set<string>(['PageInfo.endCursor', 'StudentConnection.pageInfo', 'TeacherConnection.pageInfo']);
  for (const type of Object.values(hub.schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      let target = getNamedType(field.type);
      if (isConnectionType(target)) target = getNamedType((target as GraphQLObjectType).getFields().nodes!.type);
      const isProtected = (hub.policy.resolvers.get(coordinate) ?? []).some(
        (agency) => hub.policy.classify(coordinate, agency).sharingClass !== 'UNCONDITIONAL',
      );
      if (isProtected || (isObjectType(target) && holdsProtected(target)) || field.name === 'nodes')
        towards.add(coordinate);
    }
  }
  return towards;
}

type Selection = { text: string; fragments: string[] };
const PAGE_SIZES = [1, 3, 20] as const;

/** A random selection set on `type`, `depth` levels deep at most, with aliases, fragments, @include and page sizes. */
function selectionArbitrary(type: GraphQLObjectType, depth: number, salt: number): fc.Arbitrary<Selection> {
  const fields = Object.values(type.getFields()).filter(
    (field) => !field.args.some((arg) => String(arg.type).endsWith('!')),
  );
  // Paths towards protected data are drawn more often, so the operations do reach it.
  const weighted = fields.map((field) => ({
    arbitrary: fc.constant(field),
    weight: towardsProtected.has(`${type.name}.${field.name}`) ? 8 : 1,
  }));
  const fieldArbitrary = fc.oneof(...weighted).chain((field: GraphQLField<unknown, unknown>) => {
    const named = getNamedType(field.type);
    const sub: fc.Arbitrary<Selection> =
      isLeafType(named) || !isObjectType(named) || depth === 0
        ? fc.constant({ text: '', fragments: [] })
        : selectionArbitrary(named, depth - 1, salt);
    // One page size per field and operation (drawn through the salt): the same response key with
    // other arguments would make the operation invalid instead of testing anything.
    const first = field.args.some((a) => a.name === 'first')
      ? PAGE_SIZES[Math.abs(hashOf(`${salt}:${type.name}.${field.name}`)) % PAGE_SIZES.length]
      : undefined;
    return fc
      .record({
        alias: fc.oneof(
          { arbitrary: fc.constant(undefined), weight: 5 },
          { arbitrary: fc.constantFrom('a', 'b', 'x1', 'other'), weight: 1 },
        ),
        include: fc.boolean(),
        sub,
      })
      .map(({ alias, include, sub: inner }) => {
        if (!isLeafType(named) && !inner.text) return { text: '__typename', fragments: [] };
        const head = `${alias ? `${alias}_${field.name}: ` : ''}${field.name}${first ? `(first: ${first})` : ''}${include ? ' @include(if: $on)' : ''}`;
        return { text: isLeafType(named) ? head : `${head} { ${inner.text} }`, fragments: inner.fragments };
      });
  });
  return fc.array(fieldArbitrary, { minLength: 1, maxLength: 4 }).chain((selections) =>
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

it(`no generated operation lets a view read a canary it may not (${RUNS} operations, each sent thrice)`, async () => {
  const started = Date.now();
  const query = hub.schema.getQueryType()!;
  const operation = fc.integer({ min: 0, max: roots.length - 1 }).chain((index) => {
    const root = roots[index]!;
    const type = getNamedType(query.getFields()[root.field]!.type) as GraphQLObjectType;
    return fc
      .integer()
      .chain((salt) => selectionArbitrary(type, 4, salt))
      .map((selection) => {
        const fragments = [...new Set(selection.fragments)].join('\n');
        // $on is declared only where used: an unused variable makes the whole operation invalid.
        const variables = /\$on\b/.test(selection.text + fragments) ? '($on: Boolean!)' : '';
        return `query Generated${variables} { ${root.field}${root.args} { ${selection.text} } }\n${fragments}`;
      });
  });
  const codes = Object.keys(ERROR_CATALOGUE);
  const refusals = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(
      operation,
      fc.constantFrom(...hub.views),
      fc.boolean(),
      async (text: string, view: View, on: boolean) => {
        for (const method of ['POST', 'POST', 'GET'] as const) {
          const { status, body } = await hub.graphql(view, text, text.includes('$on') ? { on } : {}, method);
          expect([200, 400]).toContain(status);
          for (const error of body?.errors ?? []) {
            expect(codes).toContain(error.extensions?.code);
            refusals.set(error.extensions?.code, (refusals.get(error.extensions?.code) ?? 0) + 1);
          }
        }
      },
    ),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  );
  console.log(
    `canary property: ${RUNS} operations × 3 requests in ${((Date.now() - started) / 1000).toFixed(1)} s; responses ${JSON.stringify(Object.fromEntries(hub.responses))}; error codes ${JSON.stringify(Object.fromEntries(refusals))}`,
  );
  if (hub.findings.length)
    throw new Error(
      `the canary oracle found data a view may not read (seed ${SEED}):\n${formatFindings(hub.findings)}`,
    );
  // The oracle is exercised: the owners themselves did reach their canaries.
  expect(hub.oracle.entitledSightings.get('education/operations')).toBeGreaterThan(0);
}, 600_000);
