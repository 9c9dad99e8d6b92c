import { signDevelopmentToken } from '@cdo-hub/gateway';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/freePort';
import { GatewayProcess } from '../harness/gatewayProcess';
import { asOperator, HubProcess, TEST_SECRETS, tokenFor } from '../harness/hubProcess';
import { callGateway } from '../harness/gatewayCall';
import { hubCli as runHub } from '../harness/hubCli';

// Roles bound to agencies, separation of duties, token lifetime and purpose, and the operators'
// endpoints, tried as issue 15's attacker tried them: over the admin API, GraphQL, the playground's
// development tokens, /metrics and /readyz, and `hub token` / `hub grant` as real child processes.

let hub: HubProcess;
let grantDir: string;
let auditDir: string;

beforeAll(async () => {
  grantDir = mkdtempSync(join(tmpdir(), 'roles-grants-'));
  auditDir = mkdtempSync(join(tmpdir(), 'roles-audit-'));
  hub = await HubProcess.start({ env: { GRANT_STORE_DIR: grantDir, AUDIT_DIR: auditDir } });
});

afterAll(async () => {
  await hub?.stop();
  for (const dir of [grantDir, auditDir]) rmSync(dir, { recursive: true, force: true });
});

const hubCli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
  runHub(args, { GRANT_STORE_DIR: grantDir, AUDIT_DIR: auditDir, HUB_DATA_DIR: hub.dataDir, ...extraEnv });

const call = (
  method: 'GET' | 'POST',
  path: string,
  token: string | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
) => callGateway(hub.gatewayUrl, method, path, token, body, headers);

const code = (response: { body: any }) => response.body?.errors?.[0]?.extensions?.code;
const NAMES = '{ schools(first: 2) { nodes { students(first: 2) { nodes { name } } } } }';

describe('roles are bound to agencies', () => {
  it('refuses a CDO role held by another department wherever the token is presented', async () => {
    // The attack: city-analytics holding a token with the education CDO's role.
    const forged = await tokenFor('city-analytics', undefined, ['cdo:education']);
    const filed = await call('POST', '/admin/grant-requests', forged, {
      fields: ['Student.name'],
      purpose: 'statistics',
      reason: 'self-approval attempt',
    });
    expect(filed.status).toBe(403);
    expect(code(filed)).toBe('ROLE_NOT_HELD');
    expect(filed.body.errors[0].message).toMatch(/city-analytics does not hold the role cdo:education/);
    for (const [method, path] of [
      ['GET', '/admin/grant-requests?agency=education'],
      ['GET', '/admin/grants?agency=education'],
      ['POST', '/admin/grant-requests/REQ-2026-0001/approve'],
      ['POST', '/admin/grants/GRANT-2026-0001/revoke'],
    ] as const) {
      const refused = await call(
        method,
        path,
        forged,
        method === 'POST' ? { reason: 'x', expires: '2027-03-31' } : undefined,
      );
      expect([path, refused.status, code(refused)]).toEqual([path, 403, 'ROLE_NOT_HELD']);
    }
    // GraphQL: the same token is refused before any data is read.
    const graphql = await hub.query(NAMES, {}, { authorization: `Bearer ${forged}`, 'x-data-purpose': 'statistics' });
    expect(graphql.status).toBe(403);
    expect(graphql.body).toMatchObject({ errors: [{ extensions: { code: 'ROLE_NOT_HELD' } }] });
    expect(graphql.body.data ?? null).toBeNull();
    // The cache admin, and another agency's CDO role on an agency's own consumer.
    const purge = await call(
      'POST',
      '/admin/cache/invalidate',
      await tokenFor('city-analytics', undefined, ['hub-operator']),
      { type: 'School' },
    );
    expect([purge.status, code(purge)]).toEqual([403, 'ROLE_NOT_HELD']);
    const crossAgency = await call(
      'GET',
      '/admin/grant-requests?agency=science',
      await tokenFor('education', undefined, ['cdo:science']),
    );
    expect([crossAgency.status, code(crossAgency)]).toEqual([403, 'ROLE_NOT_HELD']);
    // What the consumer directory grants works: the agency's own consumer, its named CDO identity, the operators.
    expect(
      (
        await call(
          'GET',
          '/admin/grant-requests?agency=education',
          await tokenFor('education', undefined, ['cdo:education']),
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await call(
          'GET',
          '/admin/grant-requests?agency=education',
          await tokenFor('education-cdo', undefined, ['cdo:education']),
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await call('POST', '/admin/cache/invalidate', await tokenFor('hub-operations', undefined, ['hub-operator']), {
          type: 'School',
        })
      ).status,
    ).toBe(200);
  });

  it("never signs a role from the playground's development tokens, held or not (they need no credentials)", async () => {
    const refused = await call('GET', '/playground/dev-token?consumer=city-analytics&role=cdo:education', undefined);
    expect([refused.status, code(refused)]).toEqual([403, 'ROLE_NOT_HELD']);
    const held = await call('GET', '/playground/dev-token?consumer=education&role=cdo:education', undefined);
    expect([held.status, code(held)]).toEqual([403, 'ROLE_NOT_HELD']);
    const education = await call('GET', '/playground/dev-token?consumer=education', undefined);
    expect((await call('GET', '/admin/grant-requests?agency=education', education.body.token)).status).toBe(403);
    const plain = await call('GET', '/playground/dev-token?consumer=city-analytics', undefined);
    expect(JSON.parse(Buffer.from(plain.body.token.split('.')[1], 'base64url').toString())).not.toHaveProperty('roles');
    // Identities that read no data are not offered.
    expect((await call('GET', '/playground/dev-token?consumer=hub-operations', undefined)).status).toBe(400);
  });
});

describe('separation of duties', () => {
  it('keeps whoever filed a request, or receives what it asks, from deciding it (admin API and CLI)', async () => {
    // Filed on the CLI by the education CDO identity herself, for city-analytics.
    const filed = await hubCli([
      'grant',
      'request',
      '--consumer',
      'city-analytics',
      '--fields',
      'Student.name',
      '--purpose',
      'statistics',
      '--reason',
      'age-grade study',
      '--until',
      '2027-03-31',
      '--by',
      'education-cdo',
    ]);
    expect(filed.code).toBe(0);
    const requestId = /REQ-\d{4}-\d{4}/.exec(filed.stdout)![0];

    const cdo = await tokenFor('education-cdo', undefined, ['cdo:education']);
    const own = await call('POST', `/admin/grant-requests/${requestId}/approve`, cdo, { by: '王丽' });
    expect([own.status, code(own)]).toEqual([403, 'SEPARATION_OF_DUTIES']);
    expect(own.body.errors[0].message).toMatch(/education-cdo may not approve .*: education-cdo filed it/);
    expect(code(await call('POST', `/admin/grant-requests/${requestId}/refuse`, cdo, { reason: 'no' }))).toBe(
      'SEPARATION_OF_DUTIES',
    );
    // Acting under the consumer's name is acting as the consumer, whoever's token it is.
    const asConsumer = await call(
      'POST',
      `/admin/grant-requests/${requestId}/approve`,
      await tokenFor('education', undefined, ['cdo:education']),
      { by: 'city-analytics' },
    );
    expect([asConsumer.status, code(asConsumer)]).toEqual([403, 'SEPARATION_OF_DUTIES']);
    const cli = await hubCli(['grant', 'approve', requestId, '--by', 'education-cdo']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/SEPARATION_OF_DUTIES: education-cdo may not approve/);
    expect(cli.stdout).toBe('');

    // The agency's own consumer, another identity, decides; its record names who.
    const approved = await call(
      'POST',
      `/admin/grant-requests/${requestId}/approve`,
      await tokenFor('education', undefined, ['cdo:education']),
      { by: '李强 (deputy CDO)', masks: { 'Student.name': 'name' } },
    );
    expect(approved.status).toBe(200);
    expect(approved.body.grant.approvedBy).toBe('李强 (deputy CDO) (education)');
    // The consumer cannot revoke (no role), nor can the filer (duties); the deputy can.
    const grantId: string = approved.body.grant.id;
    expect(
      code(await call('POST', `/admin/grants/${grantId}/revoke`, await tokenFor('city-analytics'), { reason: 'x' })),
    ).toBe('FORBIDDEN');
    expect(code(await call('POST', `/admin/grants/${grantId}/revoke`, cdo, { reason: 'x' }))).toBe(
      'SEPARATION_OF_DUTIES',
    );
    expect(
      (
        await call(
          'POST',
          `/admin/grants/${grantId}/revoke`,
          await tokenFor('education', undefined, ['cdo:education']),
          { reason: 'study over', by: '李强' },
        )
      ).status,
    ).toBe(200);
  });
});

describe('tokens', () => {
  it('refuses a token living past TOKEN_MAX_TTL (year 5138) with its own code', async () => {
    const year5138 = Math.round((Date.UTC(5138, 0, 1) - Date.now()) / 1000);
    const forever = await signDevelopmentToken(TEST_SECRETS.HUB_JWT_SECRET, {
      consumer: 'city-analytics',
      purpose: 'statistics',
      ttlSeconds: year5138,
    });
    const response = await hub.query(
      '{ districts(first: 1) { totalCount } }',
      {},
      { authorization: `Bearer ${forever}` },
    );
    expect(response.status).toBe(401);
    expect(response.body.errors?.[0]).toMatchObject({
      extensions: { code: 'TOKEN_LIFETIME_TOO_LONG' },
      message: expect.stringMatching(/longer than the 24 h this hub accepts/),
    });
    const admin = await call('GET', '/admin/grant-requests', forever);
    expect([admin.status, code(admin)]).toEqual([401, 'TOKEN_LIFETIME_TOO_LONG']);
  });

  it("binds a token's purpose claim: a different x-data-purpose is refused, the same one or none is served", async () => {
    const forPlanning = await signDevelopmentToken(TEST_SECRETS.HUB_JWT_SECRET, {
      consumer: 'district-haidian',
      purpose: 'planning',
      ttlSeconds: 600,
    });
    const other = await hub.query(
      '{ districts(first: 1) { totalCount } }',
      {},
      { authorization: `Bearer ${forPlanning}`, 'x-data-purpose': 'enrollment-planning' },
    );
    expect(other.status).toBe(403);
    expect(other.body.errors?.[0]?.extensions?.code).toBe('PURPOSE_MISMATCH');
    const sameOrNone: Record<string, string>[] = [{ 'x-data-purpose': 'planning' }, {}];
    for (const header of sameOrNone) {
      const served = await hub.query(
        '{ districts(first: 1) { totalCount } }',
        {},
        { authorization: `Bearer ${forPlanning}`, ...header },
      );
      expect(served.status).toBe(200);
      expect(served.body.data?.districts?.totalCount).toBeGreaterThan(0);
    }
    // A grant request may not name another purpose than the token's either.
    const filed = await call('POST', '/admin/grant-requests', forPlanning, {
      fields: ['Student.name'],
      purpose: 'enrollment-planning',
      reason: 'x',
    });
    expect([filed.status, code(filed)]).toEqual([403, 'PURPOSE_MISMATCH']);
  });
});

describe('hub token (the CLI as a child process)', () => {
  it('refuses to mint a role the consumer does not hold: exit 2, the reason on stderr, nothing on stdout', async () => {
    const refused = await hubCli(['token', '--consumer', 'city-analytics', '--role', 'cdo:education']);
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.stderr).toMatch(
      /hub token: refused: ROLE_NOT_HELD: city-analytics does not hold the role cdo:education/,
    );
    expect(await hubCli(['token', '--consumer', 'education', '--role', 'hub-operator'])).toMatchObject({
      code: 2,
      stdout: '',
    });
  });

  it('never mints past the maximum lifetime, and shortens its default to fit it', async () => {
    const tooLong = await hubCli(['token', '--consumer', 'city-analytics', '--ttl', '48h']);
    expect(tooLong).toMatchObject({ code: 2, stdout: '' });
    expect(tooLong.stderr).toMatch(/--ttl 48h is longer than the 24 h the hub accepts \(TOKEN_MAX_TTL\)/);
    expect(
      await hubCli(['token', '--consumer', 'city-analytics', '--ttl', '2h'], { TOKEN_MAX_TTL: '1h' }),
    ).toMatchObject({ code: 2, stdout: '' });
    const fitted = await hubCli(['token', '--consumer', 'city-analytics'], { TOKEN_MAX_TTL: '30m' });
    const claims = JSON.parse(Buffer.from(fitted.stdout.trim().split('.')[1]!, 'base64url').toString());
    expect(claims.exp - claims.iat).toBe(1800);
  });

  it('mints what the consumer directory allows, and the gateway accepts it', async () => {
    const minted = await hubCli(['token', '--consumer', 'education', '--role', 'cdo:education', '--ttl', '24h']);
    expect(minted).toMatchObject({ code: 0, stderr: '' });
    expect((await call('GET', '/admin/grant-requests?agency=education', minted.stdout.trim())).status).toBe(200);
    const operator = await hubCli(['token', '--consumer', 'hub-operations', '--role', 'hub-operator']);
    expect((await call('GET', '/metrics', operator.stdout.trim())).status).toBe(200);
  });
});

describe('operator endpoints on the gateway port', () => {
  it('serves /metrics to hub-operator tokens only: 401 without a token, 403 with another', async () => {
    const anonymous = await call('GET', '/metrics', undefined);
    expect([anonymous.status, code(anonymous)]).toEqual([401, 'UNAUTHENTICATED']);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(anonymous.text).not.toMatch(/cdo_hub_/);
    const consumer = await call('GET', '/metrics', await tokenFor('education', undefined, ['cdo:education']));
    expect([consumer.status, code(consumer)]).toEqual([403, 'FORBIDDEN']);
    const claimed = await call('GET', '/metrics', await tokenFor('city-analytics', undefined, ['hub-operator']));
    expect([claimed.status, code(claimed)]).toEqual([403, 'ROLE_NOT_HELD']);
    const badToken = await call('GET', '/metrics', 'not-a-token');
    expect([badToken.status, code(badToken)]).toEqual([401, 'INVALID_TOKEN']);
    const operator = await call('GET', '/metrics', undefined, undefined, await asOperator());
    expect(operator.status).toBe(200);
    expect(operator.headers.get('cache-control')).toBe('no-store');
    // What the public must not see: request counts per consumer (district-haidian asked above).
    expect(operator.text).toMatch(/cdo_hub_consumer_requests_total\{consumer="district-haidian",outcome="ok"\} [1-9]/);
    // The audit's price on the answers, and the durable writes behind it (those answers were audited).
    expect(operator.text).toMatch(/^cdo_hub_audit_wait_seconds_count [1-9]/m);
    expect(operator.text).toMatch(/^cdo_hub_audit_batch_seconds_count [1-9]/m);
    expect(operator.text).toMatch(/^cdo_hub_audit_batch_records_sum [1-9]/m);
    // The gateway's own answers by status class: the refusals above were 401s and 403s.
    expect(operator.text).toMatch(/^cdo_hub_http_responses_total\{status_class="2xx"\} [1-9]/m);
    expect(operator.text).toMatch(/^cdo_hub_http_responses_total\{status_class="4xx"\} [1-9]/m);
  });

  it('answers /readyz to anyone with the status only; the per-subgraph detail to operators', async () => {
    const anyone = await call('GET', '/readyz', undefined);
    expect(anyone.status).toBe(200);
    expect(anyone.body).toEqual({ status: 'ready', ready: true });
    const operator = await call('GET', '/readyz', undefined, undefined, await asOperator());
    expect(operator.status).toBe(200);
    expect(operator.body).toMatchObject({
      status: 'ready',
      ready: true,
      supergraph: { loaded: true },
      cache: { backend: 'memory' },
    });
    expect(operator.body.subgraphs.map((s: { name: string }) => s.name).sort()).toEqual([
      'development-reform',
      'education',
      'science',
    ]);
    // A token that is not an operator's changes nothing for a load balancer: same status, summary, and why.
    const consumer = await call('GET', '/readyz', await tokenFor('science'));
    expect(consumer.status).toBe(200);
    expect(consumer.body).toEqual({
      status: 'ready',
      ready: true,
      detail: expect.stringMatching(/^withheld: FORBIDDEN: the detail of \/readyz takes the role hub-operator/),
    });
  });
});

describe('operator endpoints on their own listener (METRICS_PORT)', () => {
  let gateway: GatewayProcess;
  let metricsPort: number;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'roles-metrics-port-'));
    metricsPort = await freePort();
    gateway = await GatewayProcess.start([], await freePort(), {
      EDUCATION_URL: `http://127.0.0.1:${hub.ports.education}/graphql`,
      DEVELOPMENT_REFORM_URL: `http://127.0.0.1:${hub.ports['development-reform']}/graphql`,
      SCIENCE_URL: `http://127.0.0.1:${hub.ports.science}/graphql`,
      HUB_DATA_DIR: dataDir,
      METRICS_PORT: String(metricsPort),
      METRICS_HOST: '127.0.0.1',
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves /metrics and the detailed /readyz there without credentials, and no /metrics on the gateway port', async () => {
    const gatewayOrigin = gateway.url.replace('/graphql', '');
    const onGatewayPort = await fetch(`${gatewayOrigin}/metrics`, { headers: await asOperator() });
    expect(onGatewayPort.status).toBe(404);
    expect(((await onGatewayPort.json()) as any).errors[0].extensions.code).toBe('NOT_FOUND');
    // The gateway port keeps the summary only, whoever asks; hub start and load balancers still read it.
    const summary = await fetch(`${gatewayOrigin}/readyz`, { headers: await asOperator() });
    expect(summary.status).toBe(200);
    expect(await summary.json()).toEqual({ status: 'ready', ready: true });

    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^cdo_hub_nodejs_heap_size_used_bytes /m);
    const detail = await fetch(`http://127.0.0.1:${metricsPort}/readyz`);
    expect(detail.status).toBe(200);
    expect(((await detail.json()) as any).subgraphs).toHaveLength(3);
  });
});
