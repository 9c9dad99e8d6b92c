import { startInProcessHub, type InProcessHub } from './gatewayHarness';

// The harness itself: a consumer's cross-agency query is answered through the whole request path.

let hub: InProcessHub;

beforeAll(async () => {
  hub = await startInProcessHub();
});

afterAll(async () => {
  await hub?.stop();
});

it('answers a cross-agency query through the gateway and the three in-process agencies', async () => {
  const answer = await hub.query<{
    districts: { nodes: { code: string; schoolCount: number; highTechEnterpriseCount: number }[] };
  }>(
    '{ districts(first: 2) { nodes { code schoolCount highTechEnterpriseCount } } }',
    {},
    await hub.as('city-analytics', 'statistics'),
  );
  expect(answer.body.errors).toBeUndefined();
  expect(answer.status).toBe(200);
  expect(answer.body.data!.districts.nodes).toHaveLength(2);
  expect(answer.body.data!.districts.nodes[0]).toEqual({
    code: expect.any(String),
    schoolCount: expect.any(Number),
    highTechEnterpriseCount: expect.any(Number),
  });
});
