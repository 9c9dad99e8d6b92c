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
import { callGateway } from '../harness/gatewayCall';
import { tokenFor } from '../harness/hubProcess';

// The canary oracle over the dispute channel (extensions.disputes): an answer that carries a
// disputed record's disputed field names the open dispute — to departments that may read that
// field, and to nobody else. Disputes are filed over the admin API on investment projects: the
// budget detail (CONDITIONAL, the science commission's grant), the contact name (CONDITIONAL,
// Haidian's masked and row-scoped grant) and the name (UNCONDITIONAL); every claim quotes the
// budget detail's canary, so a claim that leaked anywhere would be found. Every view then walks
// every connection of investment projects; every notice it receives is judged against the policy
// files, and every byte against the canaries — JSON answers' extensions and CSV exports'
// x-hub-disputes header or trailer alike.

const WALK = { pages: 2, parentFirst: 4, first: 3 };

let hub: CanaryHub;
let paths: ConnectionPath[];
const notices = new Map<string, Set<string>>();
/** `<view> <dispute id>` for each notice read from a CSV answer's header or trailer. */
const csvTold = new Set<string>();

function failWith(findings: readonly Finding[]): void {
  if (findings.length)
    throw new Error(`the canary oracle found data a view may not read:\n${formatFindings(findings)}`);
}

/** The hub, recording every dispute notice each view receives. */
const recording = {
  async graphql(view: View, query: string, variables?: Record<string, unknown>, method?: 'POST' | 'GET' | 'CSV') {
    const exchange = await hub.graphql(view, query, variables, method);
    const extensions = (exchange.body as { extensions?: { disputes?: { id: string; coordinate: string }[] } })
      ?.extensions;
    const seen = notices.get(view.id) ?? new Set<string>();
    for (const notice of extensions?.disputes ?? []) seen.add(`${notice.id} ${notice.coordinate}`);
    // A CSV answer names them in x-hub-disputes (a trailer when the gateway pages the export): `<id> <coordinate> <key> due=…`, comma-separated.
    const csvNotices = exchange.headers.get('x-hub-disputes') ?? exchange.headers.get('trailer.x-hub-disputes');
    if (csvNotices && csvNotices !== 'none')
      for (const notice of csvNotices.split(', ')) {
        const [id, coordinate] = notice.split(' ');
        seen.add(`${id} ${coordinate}`);
        csvTold.add(`${view.id} ${id}`);
      }
    notices.set(view.id, seen);
    return exchange;
  },
};

beforeAll(async () => {
  hub = await CanaryHub.start({ env: { LIMIT_LIST_SIZE: '8' } });
  paths = connectionPaths(hub.schema, walkRoots(hub.hub), { maxDepth: 3, pathsPerConnection: 4 }).filter(
    (path) => path.nodeType.name === 'InvestmentProject',
  );
}, 120_000);

afterAll(async () => {
  await hub?.stop();
});

const file = async (consumer: string, purpose: string, body: Record<string, unknown>) => {
  const answer = await callGateway(
    hub.hub.gatewayUrl,
    'POST',
    '/admin/disputes',
    await tokenFor(consumer, purpose),
    body,
  );
  if (answer.status !== 201) throw new Error(`filing as ${consumer} answered ${answer.status}: ${answer.text}`);
  return answer.body.dispute as { id: string; coordinate: string };
};

it('names an open dispute only to views that may read the disputed field, through any connection', async () => {
  expect(paths.length).toBeGreaterThan(0);
  const holder = hub.policy.view('science/industrial-policy');
  const first = await hub.graphql(holder, '{ investmentProjects(first: 3) { nodes { code budgetDetail } } }');
  const project = first.body!.data!.investmentProjects.nodes[0] as { code: string; budgetDetail: string };
  expect(project.budgetDetail).toEqual(expect.any(String));
  const haidian = hub.policy.view('district-haidian/planning');
  const inScope = await hub.graphql(
    haidian,
    '{ investmentProjects(first: 1, districtCode: "110108") { nodes { code contactName } } }',
  );
  const scoped = inScope.body!.data!.investmentProjects.nodes[0] as { code: string; contactName: string };
  expect(scoped.contactName).toEqual(expect.any(String));

  const claim = `the budget detail reads ${project.budgetDetail}, which counts the land twice`;
  const filed = [
    await file('science', 'industrial-policy', {
      coordinate: 'InvestmentProject.budgetDetail',
      key: project.code,
      claim,
    }),
    await file('district-haidian', 'planning', {
      coordinate: 'InvestmentProject.contactName',
      key: scoped.code,
      claim,
    }),
    await file('city-analytics', 'statistics', { coordinate: 'InvestmentProject.name', key: project.code, claim }),
  ];

  let requests = 0;
  for (const view of hub.views) for (const path of paths) requests += await walkConnection(recording, view, path, WALK);
  console.log(`canary dispute walk: ${paths.length} paths × ${hub.views.length} views, ${requests} requests`);
  failWith(hub.findings);

  const unentitled: string[] = [];
  for (const view of hub.views) {
    for (const seen of notices.get(view.id) ?? []) {
      const coordinate = seen.split(' ')[1]!;
      if (view.isPublic || hub.policy.access(view, coordinate).read === 'none')
        unentitled.push(`${view.id} was told of ${seen}`);
    }
  }
  expect(unentitled).toEqual([]);
  // Exercised: each dispute reached a view entitled to it.
  const told = (viewId: string) => [...(notices.get(viewId) ?? [])];
  expect(told('science/industrial-policy')).toContain(`${filed[0]!.id} InvestmentProject.budgetDetail`);
  expect(told('district-haidian/planning')).toContain(`${filed[1]!.id} InvestmentProject.contactName`);
  expect(told('city-analytics/statistics')).toContain(`${filed[2]!.id} InvestmentProject.name`);
  expect(told('city-analytics/statistics').some((n) => n.includes('budgetDetail'))).toBe(false);
  // The CSV channel was exercised too: exports named the disputes to entitled views (judged above with the rest).
  expect(csvTold.has(`science/industrial-policy ${filed[0]!.id}`)).toBe(true);
}, 300_000);
