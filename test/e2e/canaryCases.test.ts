import { repoRoot } from '@cdo-hub/subgraph-kit';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CanaryHub,
  connectionPaths,
  formatFindings,
  walkConnection,
  walkRoots,
  type ConnectionPath,
  type Finding,
  type View,
} from '../harness/canary';

// The canary oracle over the case channel (x-case-id): consumer input the gateway checks against a
// grant's format, records in the audit trail and signs into the agencies' claims. The hub runs on
// the shipped policies plus one case-bound grant of development-reform's (project budgets and
// feasibility summaries to city-analytics, for cases in the format FGWCASEFMT-NNNNNN), and the
// oracle reads the same files. Every view walks every connection of investment projects naming a
// case in that format — the holder also with none, one in another format and a malformed one —
// and everything received is judged: no canary of the grant's fields may reach a request that does
// not name a case the grant accepts, nor any other consumer whatever case it names; the grant's
// format is told only to its holder; the case named is never echoed back.

const FORMAT = 'FGWCASEFMT-[0-9]{6}';
const VALID = 'FGWCASEFMT-000001';
const GRANT_ID = 'DRC-2026-090';
const CASE_BOUND_GRANT = `
  - id: ${GRANT_ID}
    consumer: city-analytics
    purposes: [statistics]
    fields:
      - InvestmentProject.budgetDetail
      - InvestmentProject.feasibilitySummary
    requireCase: true
    casePattern: '${FORMAT}'
    expires: 2099-12-31
    approvedBy: canary test (CDO, Municipal Development and Reform Commission)
`;
const WALK = { pages: 2, parentFirst: 4, first: 3 };

let hub: CanaryHub;
let policyDir: string;
let paths: ConnectionPath[];

function failWith(findings: readonly Finding[]): void {
  if (findings.length)
    throw new Error(`the canary oracle found data a view may not read:\n${formatFindings(findings)}`);
}

beforeAll(async () => {
  policyDir = mkdtempSync(join(tmpdir(), 'canary-case-policies-'));
  const shipped = join(repoRoot(), 'schema', 'policies');
  for (const file of readdirSync(shipped)) copyFileSync(join(shipped, file), join(policyDir, file));
  const drc = join(policyDir, 'development-reform.yaml');
  writeFileSync(drc, `${readFileSync(drc, 'utf8').trimEnd()}\n${CASE_BOUND_GRANT}`);
  hub = await CanaryHub.start({ policyDir, env: { LIMIT_LIST_SIZE: '8' } });
  paths = connectionPaths(hub.schema, walkRoots(hub.hub), { maxDepth: 3, pathsPerConnection: 4 }).filter(
    (path) => path.nodeType.name === 'InvestmentProject',
  );
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  if (policyDir) rmSync(policyDir, { recursive: true, force: true });
});

const holder = () => hub.policy.view('city-analytics/statistics');
const naming = (view: View, caseId: string): View => ({ ...view, id: `${view.id} x-case-id=${caseId}`, caseId });
const PROJECTS = '{ investmentProjects(first: 3) { nodes { code budgetDetail feasibilitySummary } } }';

it('lets no view read a canary of a case-bound grant without a case it accepts, through any connection', async () => {
  expect(paths.length).toBeGreaterThan(0);
  const views = [
    ...hub.views.map((view) => naming(view, VALID)),
    holder(),
    naming(holder(), 'FGWCASEFMT-1'),
    naming(holder(), 'JY-2026-000001'),
    naming(holder(), `${VALID} `.repeat(2).trim()),
  ];
  let requests = 0;
  for (const view of views) for (const path of paths) requests += await walkConnection(hub, view, path, WALK);
  console.log(`canary case walk: ${paths.length} paths × ${views.length} views, ${requests} requests`);
  failWith(hub.findings);
  // Exercised: the holder naming a case reads the grant's canaries, and only then.
  expect(hub.oracle.entitledSightings.get(naming(holder(), VALID).id)).toBeGreaterThan(0);
}, 300_000);

it("says the grant's format to its holder only, and never echoes the case named", async () => {
  const withoutCase = await hub.graphql(holder(), PROJECTS);
  expect(withoutCase.body?.errors?.map((e) => e.extensions?.code)).toContain('CASE_REQUIRED');
  const otherForm = await hub.graphql(naming(holder(), 'JY-2026-000001'), PROJECTS);
  const invalid = otherForm.body?.errors?.find((e) => e.extensions?.code === 'CASE_INVALID');
  expect(invalid?.message).toContain(FORMAT);
  expect(otherForm.bodyText).not.toContain('JY-2026-000001');
  for (const view of hub.views.filter((v) => v.id !== holder().id)) {
    const exchange = await hub.graphql(naming(view, VALID), PROJECTS);
    expect([view.id, exchange.bodyText.includes('FGWCASEFMT')]).toEqual([view.id, false]);
    expect([view.id, exchange.bodyText.includes(GRANT_ID)]).toEqual([view.id, false]);
    expect(exchange.headers.get('x-case-id')).toBeNull();
  }
  failWith(hub.findings);
});

it('keeps every canary out of the audit trail and the logs, where the case is recorded', () => {
  const nobody: View = { id: 'operator reading logs', consumer: 'nobody', isPublic: false };
  const trail = readdirSync(hub.auditDir)
    .filter((file) => file.startsWith('audit-'))
    .map((file) => readFileSync(join(hub.auditDir, file), 'utf8'))
    .join('');
  expect(trail).toContain(`"case":"${VALID}"`);
  failWith([
    ...hub.oracle.inspectText(nobody, 'the audit trail', trail, 'audit'),
    ...hub.oracle.inspectText(nobody, 'hub start output (gateway and subgraph logs)', hub.log, 'log'),
  ]);
});
