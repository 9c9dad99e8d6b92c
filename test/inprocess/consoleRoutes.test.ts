import { startInProcessHub, type InProcessHub } from './gatewayHarness';

// console/consoleRoutes.ts and http/consoleAdminRoutes.ts: the CDOs' desk answers signed out with
// its page and no data; its two admin routes (approval choices, the grant register) answer only
// the CDO of the agency concerned, and the register holds policy-file and store grants alike.

let hub: InProcessHub;
let educationCdo: Record<string, string>;
let reformCdo: Record<string, string>;
let analyst: Record<string, string>;

beforeAll(async () => {
  hub = await startInProcessHub();
  educationCdo = await hub.as('education-cdo', undefined, ['cdo:education']);
  reformCdo = await hub.as('development-reform', undefined, ['cdo:development-reform']);
  analyst = await hub.as('city-analytics', 'statistics');
});

afterAll(async () => {
  await hub?.stop();
});

const get = async (url: string, headers: Record<string, string> = {}) => {
  const response = await hub.inject({ method: 'GET', url, headers });
  return { status: response.statusCode, body: response.json(), code: response.json().errors?.[0]?.extensions?.code };
};
const post = async (url: string, headers: Record<string, string>, body: unknown) => {
  const response = await hub.inject({
    method: 'POST',
    url,
    headers: { ...headers, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
  return { status: response.statusCode, body: response.json(), code: response.json().errors?.[0]?.extensions?.code };
};
const fileRequest = async (fields: string[]) => {
  const filed = await post('/admin/grant-requests', analyst, { fields, purpose: 'statistics', reason: 'class sizes' });
  expect(filed.status).toBe(201);
  return filed.body.request.id as string;
};

it('serves the page signed out, in Chinese, with the bundle from its own host and no token minted', async () => {
  const page = await hub.inject({ method: 'GET', url: '/console' });
  expect(page.statusCode).toBe(200);
  expect(page.headers['content-type']).toMatch(/^text\/html/);
  expect(page.body).toContain('<html lang="zh-CN">');
  expect(page.body).toContain('src="/console/assets/console.js"');
  expect(page.body).not.toMatch(/https?:\/\//);
  // Development: the sign-in names each CDO identity with the command that mints its token, never a token.
  const config = JSON.parse(/<script id="console-config"[^>]*>(.*?)<\/script>/s.exec(page.body)![1]!);
  expect(config.cdoIdentities).toContainEqual(
    expect.objectContaining({
      consumer: 'education-cdo',
      role: 'cdo:education',
      command: 'npm run -s hub -- token --consumer education-cdo --role cdo:education --ttl 8h',
    }),
  );
  expect(page.body).not.toMatch(/eyJ/);
  // (The bundle itself is built into gateway/dist/web: test/e2e/console.test.ts loads it in a browser.)
});

it('offers per requested field the masks that fit its type, to the owning CDO only', async () => {
  const id = await fileRequest(['Student.name', 'Teacher.*']);
  const choices = await get(`/admin/grant-requests/${id}/choices`, educationCdo);
  expect(choices.status).toBe(200);
  expect(choices.body.scopeDimensions).toEqual(['districtCode']);
  const name = choices.body.fields.find((f: { coordinate: string }) => f.coordinate === 'Student.name');
  expect(name).toMatchObject({ sharingClass: 'CONDITIONAL', level: 'L4' });
  expect(name.masks).toEqual(expect.arrayContaining(['name', 'hash', 'idNumber']));
  expect(name.masks).not.toContain('round(n)');
  // A wildcard is masked field by field: nothing to choose for it as a whole.
  expect(choices.body.fields.find((f: { coordinate: string }) => f.coordinate === 'Teacher.*').masks).toEqual([]);
  // Another agency's CDO and the consumer itself learn nothing, not even that the request exists.
  expect(await get(`/admin/grant-requests/${id}/choices`, reformCdo)).toMatchObject({
    status: 404,
    code: 'GRANT_NOT_FOUND',
  });
  expect(await get(`/admin/grant-requests/${id}/choices`, analyst)).toMatchObject({
    status: 404,
    code: 'GRANT_NOT_FOUND',
  });
  expect(await get(`/admin/grant-requests/${id}/choices`)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
});

it('lists policy-file and store grants in one register with their history; approve sets the row scope', async () => {
  const id = await fileRequest(['Student.name']);
  const badScope = await post(`/admin/grant-requests/${id}/approve`, educationCdo, {
    expires: '2099-12-31',
    scope: { schoolCode: '2111000001' },
  });
  expect(badScope).toMatchObject({ status: 400, code: 'GRANT_REQUEST_INVALID' });
  const approved = await post(`/admin/grant-requests/${id}/approve`, educationCdo, {
    expires: '2099-12-31',
    masks: { 'Student.name': 'name' },
    scope: { districtCode: '110108' },
  });
  expect(approved.status).toBe(200);
  const grantId = approved.body.grant.id as string;
  expect(approved.body.grant.scope).toEqual({ districtCode: '110108' });

  await post(`/admin/grants/${grantId}/revoke`, educationCdo, { reason: 'duty ended' });
  const register = await get('/admin/grant-register?agency=education', educationCdo);
  expect(register.status).toBe(200);
  const byId = new Map(register.body.grants.map((g: { id: string }) => [g.id, g]));
  expect(byId.get('EDU-2026-001')).toMatchObject({
    source: 'policy-file',
    location: expect.stringMatching(/education\.yaml:\d+$/),
    consumer: 'district-haidian',
    status: 'in-force',
    scope: { districtCode: '110108' },
    fields: expect.arrayContaining([{ coordinate: 'Student.name', mask: 'name' }]),
  });
  expect(byId.get(grantId)).toMatchObject({
    source: 'grant-store',
    status: 'revoked',
    fields: [{ coordinate: 'Student.name', mask: 'name' }],
    history: [
      expect.objectContaining({ action: 'requested', actor: 'city-analytics' }),
      expect.objectContaining({ action: 'approved', actor: 'education-cdo' }),
      expect.objectContaining({ action: 'revoked', actor: 'education-cdo', reason: 'duty ended' }),
    ],
  });
  // In force first.
  const statuses = register.body.grants.map((g: { status: string }) => g.status);
  expect(statuses.indexOf('revoked')).toBeGreaterThan(statuses.lastIndexOf('in-force'));
});

it("shows another agency's CDO none of education's requests or grants", async () => {
  await fileRequest(['Student.grade']);
  expect(await get('/admin/grant-register?agency=education', reformCdo)).toMatchObject({
    status: 403,
    code: 'FORBIDDEN',
  });
  expect(await get('/admin/grant-requests?agency=education', reformCdo)).toMatchObject({
    status: 403,
    code: 'FORBIDDEN',
  });
  expect(await get('/admin/grant-register?agency=education', analyst)).toMatchObject({
    status: 403,
    code: 'FORBIDDEN',
  });
  const own = await get('/admin/grant-register?agency=development-reform', reformCdo);
  expect(own.status).toBe(200);
  expect(JSON.stringify(own.body)).not.toMatch(/education|Student|EDU-/);
  const ownRequests = await get('/admin/grant-requests?agency=development-reform', reformCdo);
  expect(ownRequests.body.requests).toEqual([]);
  expect(await get('/admin/grant-register', educationCdo)).toMatchObject({
    status: 400,
    code: 'ADMIN_REQUEST_INVALID',
  });
});

it('in production serves the page (a production tool) but names no identities and no commands', async () => {
  const production = await startInProcessHub({ withoutAgencies: true, env: { NODE_ENV: 'production' } });
  try {
    const page = await production.inject({ method: 'GET', url: '/console' });
    expect(page.statusCode).toBe(200);
    const config = JSON.parse(/<script id="console-config"[^>]*>(.*?)<\/script>/s.exec(page.body)![1]!);
    expect(config).toMatchObject({ development: false, cdoIdentities: [] });
    expect(page.body).not.toContain('hub -- token');
    // The playground, off in production, is not what serves it.
    expect((await production.inject({ method: 'GET', url: '/playground' })).statusCode).toBe(404);
  } finally {
    await production.stop();
  }
});
