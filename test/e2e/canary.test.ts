import { getNamedType, isObjectType, type GraphQLObjectType } from 'graphql';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CanaryHub,
  connectionPaths,
  formatFindings,
  isConnectionType,
  walkConnection,
  walkRoots,
  type ConnectionPath,
  type Finding,
  type View,
} from '../harness/canary';
import { tokenFor } from '../harness/hubProcess';

// The canary oracle over every channel: every protected column of the three agencies holds a
// recognisable canary; for each view (consumer × purpose, and the public) every connection with
// pageInfo is walked page by page, the cached answer fetched again, and every other route the
// gateway serves is read; every byte received — status, headers, body, errors, cursors and any
// encoded substring, decoded — is scanned for a canary that view may not read, judged from the
// policy files themselves. Generated operations go through the same oracle in
// noLeak.property.test.ts; canarySealingOff.test.ts shows the oracle catching plain cursors.

/** The console's POST routes: impact previews of a refusal and a revocation, and a verification of the trail. */
const CONSOLE_POSTS = (
  agency: string,
  requestId = 'REQ-2026-0001',
  grantId = 'GRANT-2026-0001',
): [string, string][] => [
  [`/admin/grant-requests/${requestId}/impact`, JSON.stringify({ decision: 'refuse' })],
  [`/admin/grant-requests/${requestId}/impact`, JSON.stringify({ decision: 'approve', expires: '2099-12-31' })],
  [`/admin/grants/${grantId}/impact`, '{}'],
  [`/admin/audit-state/verify?agency=${agency}`, '{}'],
];

const WALK = { pages: Number(process.env.CANARY_PAGES ?? 4), parentFirst: 8, first: 3 };

let hub: CanaryHub;
let paths: ConnectionPath[];

function failWith(findings: readonly Finding[]): void {
  if (findings.length)
    throw new Error(`the canary oracle found data a view may not read:\n${formatFindings(findings)}`);
}

beforeAll(async () => {
  // Small pages and a small export limit: a CSV export of a walked connection streams several pages.
  hub = await CanaryHub.start({ env: { LIMIT_LIST_SIZE: '8', EXPORT_MAX_ROWS: '20' } });
  paths = connectionPaths(hub.schema, walkRoots(hub.hub), { maxDepth: 3, pathsPerConnection: 4 });
}, 120_000);

afterAll(async () => {
  await hub?.stop();
});

it('walks every connection field of the schema', () => {
  const connections = Object.values(hub.schema.getTypeMap())
    .filter((type) => isObjectType(type) && !type.name.startsWith('__'))
    .flatMap((type) =>
      Object.values((type as GraphQLObjectType).getFields())
        .filter((f) => isConnectionType(getNamedType(f.type)))
        .map((f) => `${type.name}.${f.name}`),
    );
  expect([...new Set(paths.map((p) => p.coordinate))].sort()).toEqual([...new Set(connections)].sort());
});

it('lets no view read a canary it may not, through any connection, page or cursor', async () => {
  const started = Date.now();
  let requests = 0;
  for (const view of hub.views) {
    for (const path of paths) requests += await walkConnection(hub, view, path, WALK);
    // A cursor the hub never issued comes back as a coded error; the error carries nothing either.
    await hub.graphql(
      view,
      'query { schools(first: 2, after: "azI6bm90LWEtbGlzdDpub3QtYS1rZXk") { pageInfo { endCursor } } }',
    );
  }
  console.log(
    `canary walk: ${paths.length} connection paths × ${hub.views.length} views, ${requests} requests in ${((Date.now() - started) / 1000).toFixed(1)} s; ${hub.canaries.size} canaries; responses ${JSON.stringify(Object.fromEntries(hub.responses))}`,
  );
  failWith(hub.findings);
  // Every kind of answer was read: POST, GET, CSV exports (tables and refusals), errors.
  expect(Object.fromEntries(hub.responses)).toEqual(
    expect.objectContaining({
      'graphql POST 200': expect.any(Number),
      'graphql GET 200': expect.any(Number),
      'graphql CSV 200': expect.any(Number),
      'graphql CSV 406': expect.any(Number),
      // Receipts were read (and scanned, their payload decoded) on JSON answers and CSV exports' trailers.
      'receipt graphql POST': expect.any(Number),
      'receipt graphql GET': expect.any(Number),
      'receipt graphql CSV': expect.any(Number),
    }),
  );
  // The oracle is exercised: owners read their own canaries, grantees theirs (in scope, in clear).
  expect(hub.oracle.entitledSightings.get('education/operations')).toBeGreaterThan(0);
  expect(hub.oracle.entitledSightings.get('city-analytics/statistics')).toBeGreaterThan(0);
  expect(hub.oracle.entitledSightings.get('district-haidian/enrollment-planning')).toBeGreaterThan(0);
}, 300_000);

it('lets no view read a canary through any other route the gateway serves', async () => {
  const before = hub.findings.length;
  for (const view of hub.views) {
    for (const route of [
      '/catalog.json',
      '/catalog',
      '/catalog?q=idNumber',
      '/playground',
      `/playground/dev-token?consumer=${view.isPublic ? 'education' : view.consumer}`,
      '/readyz',
      '/healthz',
      '/metrics',
      '/admin/grants',
      '/admin/grant-requests?status=all',
      // The CDOs' console: its page, and its admin routes (refused: no view holds a CDO role).
      '/console',
      `/admin/grant-register?agency=${view.agency ?? 'education'}`,
      `/admin/usage?agency=${view.agency ?? 'education'}`,
      `/admin/audit-state?agency=${view.agency ?? 'education'}`,
      `/admin/schema-versions?agency=${view.agency ?? 'education'}`,
      // A person's access log: its page, and its API (refused: no view is a data subject).
      '/transparency',
      '/transparency/api/reads',
    ]) {
      await hub.route(view, route);
    }
    for (const [route, body] of CONSOLE_POSTS(view.agency ?? 'education'))
      await hub.route(view, route, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    // Introspection answers from the view's own schema: descriptions and types, never values.
    await hub.graphql(view, 'query { __schema { types { name description fields { name description } } } }');
  }
  console.log(
    `canary routes: responses ${JSON.stringify(Object.fromEntries([...hub.responses].filter(([kind]) => kind.startsWith('route'))))}`,
  );
  failWith(hub.findings.slice(before));
});

it("keeps every canary out of the console's admin routes, read as each agency's CDO", async () => {
  // What the console shows a CDO — usage counts, impact previews, the trail's state, schema
  // versions — names fields, consumers and operations, never a value: judged as a reader entitled
  // to nothing, so even a canary the CDO's own agency may read would be a finding.
  const nobody: View = { id: 'console reader entitled to nothing', consumer: 'nobody', isPublic: false };
  const analyst = { authorization: `Bearer ${await tokenFor('city-analytics')}`, 'content-type': 'application/json' };
  const education = `Bearer ${await tokenFor('education-cdo', undefined, ['cdo:education'])}`;
  const pending = await hub.route(nobody, '/admin/grant-requests', {
    method: 'POST',
    headers: analyst,
    body: JSON.stringify({ fields: ['Student.name'], purpose: 'statistics', reason: 'canary: preview a refusal' }),
  });
  const approved = await hub.route(nobody, '/admin/grant-requests', {
    method: 'POST',
    headers: analyst,
    body: JSON.stringify({ fields: ['Teacher.name'], purpose: 'statistics', reason: 'canary: preview a revocation' }),
  });
  const grant = await hub.route(nobody, `/admin/grant-requests/${(approved.body as any)?.request?.id}/approve`, {
    method: 'POST',
    headers: { authorization: education, 'content-type': 'application/json' },
    body: JSON.stringify({ expires: '2099-12-31', addFields: ['School.teachers'] }),
  });
  expect([pending.status, approved.status, grant.status]).toEqual([201, 201, 200]);
  const before = hub.findings.length;
  const statuses = new Map<string, number>();
  for (const [consumer, agency] of [
    ['education-cdo', 'education'],
    ['development-reform', 'development-reform'],
    ['science', 'science'],
  ] as const) {
    const cdo = { authorization: `Bearer ${await tokenFor(consumer, undefined, [`cdo:${agency}`])}` };
    const reads: [string, RequestInit][] = [
      ...['usage?since=90d&', 'audit-state?', 'schema-versions?', 'grant-register?'].map(
        (route): [string, RequestInit] => [`/admin/${route}agency=${agency}`, { headers: cdo }],
      ),
      ...CONSOLE_POSTS(agency, (pending.body as any)?.request?.id, (grant.body as any)?.grant?.id).map(
        ([route, body]): [string, RequestInit] => [
          route,
          { method: 'POST', headers: { ...cdo, 'content-type': 'application/json' }, body },
        ],
      ),
    ];
    for (const [route, init] of reads) {
      const exchange = await hub.route(nobody, route, init);
      statuses.set(`${agency} ${route.replace(/\?.*$/, '')}`, exchange.status);
    }
  }
  // The oracle reads the policy files only: the store grant goes again before any other walk.
  const revoked = await hub.route(nobody, `/admin/grants/${(grant.body as any)?.grant?.id}/revoke`, {
    method: 'POST',
    headers: { authorization: education, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'canary test done' }),
  });
  expect(revoked.status).toBe(200);
  failWith(hub.findings.slice(before));
  // The owning CDO is answered (the previews included); another agency's CDO is refused.
  expect(Object.fromEntries(statuses)).toMatchObject({
    'education /admin/usage': 200,
    'education /admin/audit-state/verify': 200,
    [`education /admin/grant-requests/${(pending.body as any)?.request?.id}/impact`]: 200,
    [`education /admin/grants/${(grant.body as any)?.grant?.id}/impact`]: 200,
    [`science /admin/grants/${(grant.body as any)?.grant?.id}/impact`]: 404,
    'science /admin/usage': 200,
  });
});

it('keeps every canary out of the catalog: any language, any search, any reader, the owning agencies too', async () => {
  // The catalog describes fields (names, classes, stewards, sources) and never holds a value: judged
  // as a reader entitled to nothing, so even a canary its own agency may read would be a finding.
  const nobody: View = { id: 'catalog reader entitled to nothing', consumer: 'nobody', isPublic: false };
  const findings: Finding[] = [];
  const searches = ['', '监护人', 'idNumber', '不予共享', 'CONDITIONAL', 'district-haidian', '110108'];
  let read = 0;
  for (const view of hub.views) {
    for (const [path, language] of searches.flatMap((q) =>
      ['/catalog', '/catalog.json'].flatMap((route) =>
        (['zh-CN,zh;q=0.9', 'en-US,en;q=0.9'] as const).map(
          (lang) => [`${route}${q ? `?q=${encodeURIComponent(q)}` : ''}`, lang] as const,
        ),
      ),
    )) {
      const exchange = await hub.route(view, path, { headers: { 'accept-language': language } });
      expect(exchange.status).toBe(200);
      read++;
      const headers: string[] = [];
      exchange.headers.forEach((value, name) => headers.push(`${name}: ${value}`));
      findings.push(
        ...hub.oracle.inspectText(nobody, `GET ${path} (${language}) as ${view.id}`, exchange.bodyText, 'catalog body'),
        ...hub.oracle.inspectText(
          nobody,
          `GET ${path} (${language}) as ${view.id}`,
          headers.join('\n'),
          'catalog headers',
        ),
      );
    }
  }
  console.log(`canary catalog: ${read} catalog responses read, ${hub.canaries.size} canaries looked for`);
  failWith([...findings, ...hub.findings]);
  expect(hub.canaries.size).toBeGreaterThan(0);
});

it('keeps every canary out of the audit trail and the logs', () => {
  // Nobody may read a value there: judged as a view with no agency, no purpose and no grant.
  const nobody: View = { id: 'operator reading logs', consumer: 'nobody', isPublic: false };
  const findings: Finding[] = [
    ...hub.oracle.inspectText(nobody, 'hub start output (gateway and subgraph logs)', hub.log, 'log'),
  ];
  for (const file of readdirSync(hub.auditDir))
    findings.push(
      ...hub.oracle.inspectText(
        nobody,
        `audit file ${file}`,
        readFileSync(join(hub.auditDir, file), 'utf8'),
        `audit ${file}`,
      ),
    );
  failWith(findings);
});
