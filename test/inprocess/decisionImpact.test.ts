import { startInProcessHub, type InProcessHub } from './gatewayHarness';

// http/decisionImpactRoutes.ts: before a CDO confirms a decision the console asks what it would
// do to consumers' recent operations (the audit trail and its operation store, replayed with
// policyImpact). A revocation names the consumer whose operation loses the field; an approval of
// a field under a withheld parent offers the parent, which the approval can then add; only the
// owning agency's CDO may ask, and asking decides nothing.

let hub: InProcessHub;
let educationCdo: Record<string, string>;
let reformCdo: Record<string, string>;
let analyst: Record<string, string>;

const ROSTER = 'query Roster { schools(first: 2) { nodes { code students(first: 2) { nodes { name grade } } } } }';
const STAFF = 'query Staff { schools(first: 2) { nodes { code teachers(first: 2) { nodes { name } } } } }';

beforeAll(async () => {
  hub = await startInProcessHub();
  educationCdo = await hub.as('education-cdo', undefined, ['cdo:education']);
  reformCdo = await hub.as('development-reform', undefined, ['cdo:development-reform']);
  analyst = await hub.as('city-analytics', 'statistics');
});

afterAll(async () => {
  await hub?.stop();
});

const post = async (url: string, headers: Record<string, string>, body: unknown = {}) => {
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
const names = async () => {
  const { body } = await hub.query(ROSTER, {}, analyst);
  return (body.data?.schools?.nodes ?? []).flatMap((s: any) => s.students.nodes.map((n: any) => n.name));
};

it('previews a revocation: the consumer whose recent operation would lose the field, and how often it sent it', async () => {
  const id = await fileRequest(['Student.name']);
  const approval = await post(`/admin/grant-requests/${id}/impact`, educationCdo, {
    decision: 'approve',
    expires: '2099-12-31',
  });
  expect(approval.status).toBe(200);
  expect(approval.body).toMatchObject({ decision: 'approve', target: id, consumer: 'city-analytics' });
  const grantId = approval.body.grantId as string;
  // Asking decided nothing: the request is still pending and the name still withheld.
  expect((await names()).every((n: unknown) => n === null)).toBe(true);
  expect((await post(`/admin/grant-requests/${id}/approve`, educationCdo, { expires: '2099-12-31' })).status).toBe(200);
  for (let i = 0; i < 3; i++) expect((await names()).some((n: unknown) => typeof n === 'string')).toBe(true);

  const revocation = await post(`/admin/grants/${grantId}/impact`, educationCdo);
  expect(revocation.status).toBe(200);
  expect(revocation.body).toMatchObject({ decision: 'revoke', target: grantId, consumer: 'city-analytics' });
  expect(revocation.body.records).toBeGreaterThanOrEqual(3);
  expect(revocation.body.changes).toContainEqual(
    expect.objectContaining({
      consumer: 'city-analytics',
      purpose: 'statistics',
      operation: expect.objectContaining({ name: 'Roster' }),
      coordinate: 'Student.name',
      change: 'withheld',
      before: 'allow',
      count: expect.any(Number),
    }),
  );
  const roster = revocation.body.changes.find((c: any) => c.operation.name === 'Roster');
  expect(roster.count).toBeGreaterThanOrEqual(3);
  // The preview carries no operation text (only names and hashes) and changes nothing.
  expect(JSON.stringify(revocation.body)).not.toContain('students(first');
  expect((await names()).some((n: unknown) => typeof n === 'string')).toBe(true);
});

it('offers the parent field a requested field cannot be reached without, and the approval adds it', async () => {
  // The analyst tried the staff list: teachers are withheld from it.
  await hub.query(STAFF, {}, analyst);
  const id = await fileRequest(['Teacher.name']);
  const lacking = await post(`/admin/grant-requests/${id}/impact`, educationCdo, {
    decision: 'approve',
    expires: '2099-12-31',
  });
  expect(lacking.status).toBe(200);
  expect(lacking.body.parentFields).toEqual([
    { typeName: 'Teacher', coordinates: ['Teacher.name'], missing: ['School.teachers'], addable: ['School.teachers'] },
  ]);
  expect(lacking.body.unreachable).toContainEqual(
    expect.objectContaining({ consumer: 'city-analytics', coordinate: 'Teacher.name', missing: ['School.teachers'] }),
  );

  const added = await post(`/admin/grant-requests/${id}/impact`, educationCdo, {
    decision: 'approve',
    expires: '2099-12-31',
    addFields: ['School.teachers'],
  });
  expect(added.body.parentFields).toEqual([]);
  expect(added.body.changes).toContainEqual(
    expect.objectContaining({
      operation: expect.objectContaining({ name: 'Staff' }),
      coordinate: 'Teacher.name',
      change: 'released',
    }),
  );
  // Only a missing parent may be added: not another field nobody asked for.
  expect(
    await post(`/admin/grant-requests/${id}/impact`, educationCdo, {
      decision: 'approve',
      expires: '2099-12-31',
      addFields: ['Student.idNumber'],
    }),
  ).toMatchObject({ status: 400, code: 'GRANT_REQUEST_INVALID' });
  const approved = await post(`/admin/grant-requests/${id}/approve`, educationCdo, {
    expires: '2099-12-31',
    addFields: ['School.teachers'],
  });
  expect(approved.status).toBe(200);
  expect(approved.body.grant.fields).toEqual(['Teacher.name', 'School.teachers']);
  const { body } = await hub.query(STAFF, {}, analyst);
  const teachers = body.data?.schools?.nodes.flatMap((s: any) => s.teachers.nodes.map((t: any) => t.name));
  expect(teachers.length).toBeGreaterThan(0);
  expect(teachers.every((n: unknown) => typeof n === 'string')).toBe(true);
});

it('previews a refusal as changing nothing in force, with the refusal checks of confirming', async () => {
  const id = await fileRequest(['Student.grade']);
  const refusal = await post(`/admin/grant-requests/${id}/impact`, educationCdo, { decision: 'refuse' });
  expect(refusal.status).toBe(200);
  expect(refusal.body).toMatchObject({ decision: 'refuse', changes: [], blanked: [] });
  expect(refusal.body.grantId).toBeUndefined();
  // An expiry in the past is refused by the preview, as confirming would refuse it.
  expect(
    await post(`/admin/grant-requests/${id}/impact`, educationCdo, { decision: 'approve', expires: '2020-01-01' }),
  ).toMatchObject({ status: 400, code: 'GRANT_REQUEST_INVALID' });
});

it("answers only the owning agency's CDO: another CDO and the consumer learn nothing", async () => {
  const id = await fileRequest(['Student.gender']);
  for (const headers of [reformCdo, analyst])
    expect(await post(`/admin/grant-requests/${id}/impact`, headers, { decision: 'refuse' })).toMatchObject({
      status: 404,
      code: 'GRANT_NOT_FOUND',
    });
  expect(await post(`/admin/grant-requests/${id}/impact`, {}, { decision: 'refuse' })).toMatchObject({
    status: 401,
    code: 'UNAUTHENTICATED',
  });
  expect(await post('/admin/grants/EDU-2026-002/impact', reformCdo)).toMatchObject({
    status: 404,
    code: 'GRANT_NOT_FOUND',
  });
  expect(
    await post(`/admin/grant-requests/${id}/impact`, educationCdo, { decision: 'approve', expires: 'soon', x: 1 }),
  ).toMatchObject({ status: 400, code: 'GRANT_REQUEST_INVALID' });
});
