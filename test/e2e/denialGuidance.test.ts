import {
  DEFAULT_CALENDAR_FILE,
  DEFAULT_CONSUMERS_FILE,
  DEFAULT_POLICY_DIR,
  DEFAULT_SUPERGRAPH_FILE,
  FileGrantStore,
  GrantService,
  loadPolicySet,
  loadSupergraphFile,
  loadWorkCalendar,
  policyGrantChecker,
} from '@cdo-hub/gateway';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { as, HubProcess, tokenFor } from '../harness/hubProcess';
import { until } from '../harness/until';

// A denial says what to do: every code a grant would answer (GRANT_REQUIRED, PURPOSE_NOT_GRANTED,
// GRANT_EXPIRED, GRANT_REVOKED) carries the field's catalog entry and the grant request to file.
// The consumer files exactly what the denial says, the CDO approves, the field is released; the
// CDO revokes and the denial says revoked, not "holds no grant".

let hub: HubProcess;
let grantDir: string;

beforeAll(async () => {
  grantDir = mkdtempSync(join(tmpdir(), 'grants-guidance-e2e-'));
  hub = await HubProcess.start({ env: { GRANT_STORE_DIR: grantDir } });
});

afterAll(async () => {
  await hub?.stop();
  rmSync(grantDir, { recursive: true, force: true });
});

const origin = () => new URL(hub.gatewayUrl).origin;
const REVENUE = '{ highTechEnterprises(first: 3) { nodes { certificateNumber revenue } } }';

async function revenueAs(purpose: string): Promise<{ values: unknown[]; error?: any }> {
  const { body } = await hub.query(REVENUE, {}, await as('district-haidian', purpose));
  const nodes = body.data?.highTechEnterprises?.nodes ?? [];
  expect(nodes.length).toBeGreaterThan(0);
  return {
    values: nodes.map((n: any) => n.revenue),
    error: (body.errors ?? []).find((e: any) => e.extensions?.coordinate === 'HighTechEnterprise.revenue'),
  };
}

async function post(path: string, token: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(new URL(path, origin()), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const guidance = (purpose: string) => ({
  catalog: '/catalog#HighTechEnterprise.revenue',
  requestAccess: {
    method: 'POST',
    path: '/admin/grant-requests',
    body: { agency: 'science', fields: ['HighTechEnterprise.revenue'], purpose },
    fill: { reason: expect.any(String) },
  },
});

it('guides a consumer from a denial to a grant, and says when a CDO revoked it', async () => {
  const haidian = await tokenFor('district-haidian');
  const cdo = await tokenFor('science', undefined, ['cdo:science']);

  const required = await revenueAs('planning');
  expect(required.values.every((v) => v === null)).toBe(true);
  expect(required.error.extensions).toMatchObject({
    code: 'GRANT_REQUIRED',
    agency: 'science',
    ...guidance('planning'),
  });

  // The catalog URL is a page that describes the field.
  const catalogPage = await fetch(new URL(required.error.extensions.catalog, origin()));
  expect(catalogPage.status).toBe(200);
  expect(await catalogPage.text()).toContain('<tr id="HighTechEnterprise.revenue"');

  // Filing exactly what the denial says (plus the reason) is a valid grant request.
  const { method, path, body } = required.error.extensions.requestAccess;
  expect(method).toBe('POST');
  const filed = await post(path, haidian, {
    ...body,
    reason: 'district innovation plan needs firm revenue bands',
    until: '2027-06-30',
  });
  expect(filed).toMatchObject({
    status: 201,
    body: {
      request: {
        agency: 'science',
        consumer: 'district-haidian',
        fields: ['HighTechEnterprise.revenue'],
        purpose: 'planning',
        status: 'pending',
      },
    },
  });
  const approved = await post(`/admin/grant-requests/${filed.body.request.id}/approve`, cdo, {
    by: '陈静',
    expires: '2027-06-30',
  });
  expect(approved.status).toBe(200);
  const grantId: string = approved.body.grant.id;
  const released = await revenueAs('planning');
  expect(released.error).toBeUndefined();
  expect(released.values.some((v) => typeof v === 'number')).toBe(true);

  // Another purpose: the grant binds the purpose it was given for; the guidance asks for this one.
  const otherPurpose = await revenueAs('enrollment-planning');
  expect(otherPurpose.error.extensions).toMatchObject({
    code: 'PURPOSE_NOT_GRANTED',
    grant: grantId,
    ...guidance('enrollment-planning'),
  });

  // Revoked: the very next request says so, naming the grant, with the way back.
  expect((await post(`/admin/grants/${grantId}/revoke`, cdo, { by: '陈静', reason: 'plan adopted' })).status).toBe(200);
  const revoked = await revenueAs('planning');
  expect(revoked.values.every((v) => v === null)).toBe(true);
  expect(revoked.error.extensions).toMatchObject({
    code: 'GRANT_REVOKED',
    agency: 'science',
    grant: grantId,
    ...guidance('planning'),
  });
  expect(revoked.error.message).toMatch(new RegExp(`grant ${grantId} was revoked on \\d{4}-\\d{2}-\\d{2}`));
});

it('says GRANT_EXPIRED, with the same guidance, once a store grant has run out', async () => {
  // A grant approved in spring for the first half of the year, written to the store the running gateway follows.
  const supergraph = loadSupergraphFile(DEFAULT_SUPERGRAPH_FILE);
  const sources = { policyDir: DEFAULT_POLICY_DIR, consumersFile: DEFAULT_CONSUMERS_FILE };
  const spring = new GrantService({
    store: new FileGrantStore(grantDir),
    policySet: () => loadPolicySet(sources, supergraph).policySet!,
    calendar: loadWorkCalendar(DEFAULT_CALENDAR_FILE),
    checkGrant: policyGrantChecker(sources, supergraph),
    now: () => new Date('2026-03-02T09:00:00+08:00'),
  });
  const { result: request } = await spring.request({
    consumer: 'district-haidian',
    fields: ['HighTechEnterprise.revenue'],
    purpose: 'enrollment-planning',
    reason: 'school-place forecast by employer size',
    requestedBy: 'district-haidian',
  });
  const { result: grant } = await spring.approve(request.id, {
    by: '陈静',
    actingFor: ['science'],
    actingAs: ['science-cdo'],
    expires: '2026-06-30',
  });
  let error: any;
  await until(async () => {
    ({ error } = await revenueAs('enrollment-planning'));
    return error?.extensions?.code === 'GRANT_EXPIRED';
  }, 10_000).catch(() => undefined); // the expectation below says what was seen
  expect(error?.extensions).toMatchObject({
    code: 'GRANT_EXPIRED',
    grant: grant.id,
    ...guidance('enrollment-planning'),
  });
});

it('offers no grant request where none can help', async () => {
  const { body } = await hub.query(
    '{ schools(districtCode: "110108", first: 1) { nodes { students(first: 1) { nodes { idNumber } } } } }',
    {},
    await as('district-haidian', 'enrollment-planning'),
  );
  const denial: any = (body.errors ?? []).find((e: any) => e.extensions?.coordinate === 'Student.idNumber');
  expect(denial?.extensions?.code).toBe('FIELD_NOT_SHARED');
  expect(denial.extensions.catalog).toBeUndefined();
  expect(denial.extensions.requestAccess).toBeUndefined();
});
