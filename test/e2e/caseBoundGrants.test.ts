import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { callGateway } from '../harness/gatewayCall';
import { hubCli as runHub, spawnHubCli } from '../harness/hubCli';
import { as, HubProcess, tokenFor, type GraphQLResponse } from '../harness/hubProcess';
import { until } from '../harness/until';

// Case-bound grants on a running hub: the development-reform CDO grants city-analytics a
// project's budget detail only for named cases in the commission's format; requests under the
// grant without x-case-id get CASE_REQUIRED, with one in another form CASE_INVALID, and the rest
// of the answer as always. The case a request names is in its audit record, reaches the agency in
// the signed consumer claims, and a cached answer is served only after the same check.

let hub: HubProcess;
let auditDir: string;
let grantId: string;

const FORMAT = 'FGW-[0-9]{4}-[0-9]{6}';
const QUERY = '{ investmentProjects(first: 3) { nodes { code name budgetDetail } } }';

beforeAll(async () => {
  // Small pages and a small export limit: a CSV export streams several pages, each asked anew.
  hub = await HubProcess.start({
    env: {
      LOG_LEVEL: 'debug',
      LIMIT_LIST_SIZE: '8',
      EXPORT_MAX_ROWS: '20',
    },
  });
  // The hub's own temporary data folder holds its audit trail (the default), removed with it.
  auditDir = join(hub.dataDir, 'audit');
}, 120_000);

afterAll(async () => {
  await hub?.stop();
});

const hubCli = (...args: string[]) => runHub(args, { HUB_DATA_DIR: hub.dataDir });

/** The analysts' query, with `x-case-id` when given. */
async function ask(caseId?: string, consumer = 'city-analytics', purpose = 'statistics'): Promise<GraphQLResponse> {
  return hub.query(
    QUERY,
    {},
    { ...(await as(consumer, purpose)), ...(caseId !== undefined ? { 'x-case-id': caseId } : {}) },
  );
}

const budgets = (response: GraphQLResponse) =>
  ((response.body.data?.investmentProjects?.nodes ?? [{}, {}, {}]) as { budgetDetail: unknown }[]).map(
    (n) => n.budgetDetail ?? null,
  );
const names = (response: GraphQLResponse) =>
  ((response.body.data?.investmentProjects?.nodes ?? []) as { name: unknown }[]).map((n) => n.name);
const errorOn = (response: GraphQLResponse, coordinate: string) =>
  response.body.errors?.find((e) => e.extensions?.coordinate === coordinate);

const auditRecords = () =>
  readdirSync(auditDir)
    .filter((f) => f.startsWith('audit-'))
    .sort()
    .flatMap((f) => readFileSync(join(auditDir, f), 'utf8').split('\n').filter(Boolean))
    .map((line) => JSON.parse(line) as Record<string, any>);
const recordOf = (response: GraphQLResponse) =>
  auditRecords().find((r) => r.requestId === response.headers.get('x-request-id'));

it('approves a case-bound grant from the CLI, refusing a format that does not compile', async () => {
  const analyst = await tokenFor('city-analytics');
  const filed = await callGateway(hub.gatewayUrl, 'POST', '/admin/grant-requests', analyst, {
    fields: ['InvestmentProject.budgetDetail'],
    purpose: 'statistics',
    reason: 'cost review of school construction, case by case',
    until: '2027-03-31',
  });
  expect(filed.status).toBe(201);
  const requestId: string = filed.body.request.id;

  // A pattern that does not compile, or a catastrophic one, is refused with the reason; nothing is stored.
  const bad = await hubCli(
    'grant',
    'approve',
    requestId,
    '--by',
    '李强 (CDO)',
    '--require-case',
    '--case-pattern',
    '(FGW-\\d+',
  );
  expect(bad.code).not.toBe(0);
  expect(bad.stderr + bad.stdout).toMatch(
    /GRANT_REQUEST_INVALID: case pattern "\(FGW-\\\\d\+": a group that is not closed/,
  );
  const cdo = await tokenFor('development-reform', undefined, ['cdo:development-reform']);
  const unsupported = await callGateway(hub.gatewayUrl, 'POST', `/admin/grant-requests/${requestId}/approve`, cdo, {
    requireCase: true,
    casePattern: '(FGW)\\1-\\d+',
  });
  expect(unsupported).toMatchObject({
    status: 400,
    body: {
      errors: [
        { extensions: { code: 'GRANT_REQUEST_INVALID' }, message: expect.stringContaining('"\\1" is not supported') },
      ],
    },
  });
  // A pattern longer than the cap is refused before it is compiled.
  const long = await callGateway(hub.gatewayUrl, 'POST', `/admin/grant-requests/${requestId}/approve`, cdo, {
    requireCase: true,
    casePattern: 'a'.repeat(129),
  });
  expect(long.status).toBe(400);

  const approved = await hubCli(
    'grant',
    'approve',
    requestId,
    '--by',
    '李强 (CDO, Municipal Development and Reform Commission)',
    '--require-case',
    '--case-pattern',
    FORMAT,
    '--retain-days',
    '30',
  );
  expect(approved.code).toBe(0);
  expect(approved.stdout).toContain(`requests under it must name their case (x-case-id matching ${FORMAT})`);
  grantId = /(GRANT-\d{4}-\d{4}) in force/.exec(approved.stdout)![1]!;
  // Every gateway picks it up from the store within seconds.
  await until(async () => budgets(await ask('FGW-2026-000001')).every((b) => b !== null), 10_000, 100, {
    what: 'the case-bound grant in force',
  });
}, 60_000);

it('withholds the fields under the grant without a case, with CASE_REQUIRED, and answers the rest', async () => {
  const response = await ask();
  expect(response.status).toBe(200);
  expect(names(response).length).toBe(3);
  expect(names(response).every((n) => typeof n === 'string')).toBe(true);
  expect(budgets(response)).toEqual([null, null, null]);
  expect(errorOn(response, 'InvestmentProject.budgetDetail')).toMatchObject({
    extensions: {
      code: 'CASE_REQUIRED',
      agency: 'development-reform',
      grant: grantId,
      caseHeader: 'x-case-id',
      caseFormat: FORMAT,
      paths: ['investmentProjects.nodes.budgetDetail'],
    },
  });
  expect(response.body.errors).toHaveLength(1);
});

it('withholds them for a case in another form, or a header no case reference can be, with CASE_INVALID', async () => {
  for (const caseId of ['JY-2026-000001', 'FGW-2026-0001', 'x'.repeat(65), 'FGW 2026 000001']) {
    const response = await ask(caseId);
    expect(budgets(response)).toEqual([null, null, null]);
    const error = errorOn(response, 'InvestmentProject.budgetDetail');
    expect(error).toMatchObject({ extensions: { code: 'CASE_INVALID', grant: grantId, caseFormat: FORMAT } });
    // The holder is told the format it must follow, never its own header echoed back.
    expect(error!.message).toContain(FORMAT);
    expect(JSON.stringify(response.body)).not.toContain(caseId);
  }
});

it('releases them for a case in the format, records the case, and hands it to the agency in the signed claims', async () => {
  // An operation of its own, so that the answer is fetched from the agency, not from the cache.
  const response = await hub.query(
    '{ investmentProjects(first: 2) { nodes { code name budgetDetail } } }',
    {},
    {
      ...(await as('city-analytics', 'statistics')),
      'x-case-id': 'FGW-2026-000123',
    },
  );
  expect(response.headers.get('x-cache')).not.toBe('HIT');
  expect(response.body.errors).toBeUndefined();
  expect(budgets(response).every((b) => typeof b === 'string' || typeof b === 'number')).toBe(true);
  const requestId = response.headers.get('x-request-id')!;
  await until(() => recordOf(response) !== undefined, 5_000, 50, { what: `the audit record of ${requestId}` });
  expect(recordOf(response)).toMatchObject({
    consumer: 'city-analytics',
    purpose: 'statistics',
    case: 'FGW-2026-000123',
    grants: [grantId],
  });
  // The answer's signed receipt names the case and the grant too.
  const receipt = response.headers.get('x-hub-receipt')!;
  expect(JSON.parse(Buffer.from(receipt.split('.')[1]!, 'base64url').toString('utf8'))).toMatchObject({
    requestId,
    case: 'FGW-2026-000123',
    grants: [grantId],
  });
  // The subgraph logs the claims it verified: the case came signed, with the request id.
  const agencyLine = () =>
    hub.log
      .split('\n')
      .slice(0, -1)
      .filter((line) => line.includes(requestId) && line.includes('"development-reform"'))
      .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>)
      .find((line) => line.msg === 'subgraph call');
  await until(() => agencyLine() !== undefined, 10_000, 50, { what: `development-reform's line of ${requestId}` });
  expect(agencyLine()).toMatchObject({ reqId: requestId, consumer: 'city-analytics', case: 'FGW-2026-000123' });
  // hub audit tail shows it.
  const tail = spawnHubCli(['audit', 'tail', '--backlog', '50', '--consumer', 'city-analytics', '--dir', auditDir], {
    HUB_DATA_DIR: hub.dataDir,
  });
  try {
    let output = '';
    tail.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await until(() => output.includes('(statistics, case FGW-2026-000123)'), 30_000, 50, {
      what: 'hub audit tail to show the case',
    });
  } finally {
    tail.kill('SIGINT');
  }
}, 30_000);

it('checks and audits the case on every cache hit: a cached answer never skips the check', async () => {
  const first = await ask('FGW-2026-000200');
  expect(budgets(first).every((b) => b !== null)).toBe(true);
  const hit = await ask('FGW-2026-000201');
  expect(hit.headers.get('x-cache')).toBe('HIT');
  expect(budgets(hit)).toEqual(budgets(first));
  // The same operation without the case: not the cached answer, the check again.
  const without = await ask();
  expect(budgets(without)).toEqual([null, null, null]);
  expect(errorOn(without, 'InvestmentProject.budgetDetail')?.extensions?.code).toBe('CASE_REQUIRED');
  const invalid = await ask('not-a-case');
  expect(errorOn(invalid, 'InvestmentProject.budgetDetail')?.extensions?.code).toBe('CASE_INVALID');
  const again = await ask('FGW-2026-000202');
  expect(again.headers.get('x-cache')).toBe('HIT');
  await until(() => [hit, without, again].every((r) => recordOf(r) !== undefined), 5_000, 50, {
    what: 'the audit records of the cached answers',
  });
  expect(recordOf(hit)).toMatchObject({ cache: 'HIT', case: 'FGW-2026-000201', outcome: 'ok' });
  expect(recordOf(again)).toMatchObject({ cache: 'HIT', case: 'FGW-2026-000202' });
  expect(recordOf(without)).toMatchObject({ outcome: 'partial' });
  expect(recordOf(without)!.case).toBeUndefined();
  expect(recordOf(without)!.agencies['development-reform'].denied).toContain('InvestmentProject.budgetDetail');
});

it('carries the case to every page of a CSV export, each checked anew', async () => {
  const exportAs = async (caseId?: string) => {
    const response = await fetch(hub.gatewayUrl, {
      method: 'POST',
      headers: {
        ...(await as('city-analytics', 'statistics')),
        'content-type': 'application/json',
        accept: 'text/csv',
        ...(caseId ? { 'x-case-id': caseId } : {}),
      },
      body: JSON.stringify({ query: '{ investmentProjects(first: 8) { nodes { code budgetDetail } } }' }),
    });
    const rows = (await response.text()).trim().split('\r\n');
    return {
      status: response.status,
      withheld: response.headers.get('x-hub-withheld'),
      header: rows[0],
      rows: rows.slice(1),
    };
  };
  const withCase = await exportAs('FGW-2026-000300');
  expect(withCase).toMatchObject({ status: 200, withheld: null, header: 'code,budgetDetail' });
  // Rows past the first page come from pages the gateway asked itself: with the case, budgets in them too.
  expect(withCase.rows.length).toBeGreaterThan(8);
  expect(withCase.rows.slice(8).some((row) => !row.endsWith(','))).toBe(true);
  const withoutCase = await exportAs();
  expect(withoutCase.withheld).toContain('InvestmentProject.budgetDetail=CASE_REQUIRED');
  expect(withoutCase.rows.every((row) => row.endsWith(','))).toBe(true);
});

it('tells a consumer that does not hold the grant nothing of it: neither the grant nor its format', async () => {
  const response = await ask('FGW-2026-000123', 'district-haidian', 'planning');
  expect(errorOn(response, 'InvestmentProject.budgetDetail')?.extensions?.code).toBe('GRANT_REQUIRED');
  expect(JSON.stringify(response.body)).not.toContain(grantId);
  expect(JSON.stringify(response.body)).not.toContain('FGW-[0-9]');
  // Its own case is still recorded: the request said which case it served.
  await until(() => recordOf(response) !== undefined, 5_000, 50, { what: 'the record' });
  expect(recordOf(response)).toMatchObject({ consumer: 'district-haidian', case: 'FGW-2026-000123' });
});

it('lists the grant with its case binding in the CDO register and the store', async () => {
  const cdo = await tokenFor('development-reform', undefined, ['cdo:development-reform']);
  const register = await callGateway(hub.gatewayUrl, 'GET', '/admin/grant-register?agency=development-reform', cdo);
  expect(register.body.grants.find((g: any) => g.id === grantId)).toMatchObject({
    requireCase: true,
    casePattern: FORMAT,
    retainDays: 30,
    status: 'in-force',
  });
  const listed = await hubCli('grant', 'list', '--grants', '--agency', 'development-reform');
  expect(listed.stdout).toContain(`requests under it must name their case (x-case-id matching ${FORMAT})`);
});
