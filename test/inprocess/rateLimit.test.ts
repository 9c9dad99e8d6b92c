import { startInProcessHub, type InProcessHub } from './gatewayHarness';

// rateLimit.ts: each consumer is counted on its own (each batch member counts); past the limit,
// 429 RATE_LIMITED with Retry-After, while another consumer is still served.

let hub: InProcessHub;

beforeAll(async () => {
  hub = await startInProcessHub({ withoutAgencies: true, env: { RATE_LIMIT_PER_MINUTE: '3' } });
});

afterAll(async () => {
  await hub?.stop();
});

it('refuses a consumer past its limit with 429 and Retry-After, and counts batch members', async () => {
  const headers = { 'content-type': 'application/json', ...(await hub.as('city-analytics', 'statistics')) };
  const batch = await hub.inject({
    method: 'POST',
    url: '/graphql',
    headers,
    payload: [{ query: '{ __typename }' }, { query: '{ __typename }' }],
  });
  expect(batch.statusCode).toBe(200);
  expect((await hub.query('{ __typename }', {}, headers)).status).toBe(200);
  const refused = await hub.query('{ __typename }', {}, headers);
  expect(refused.status).toBe(429);
  expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  expect(refused.body.errors![0]!.extensions).toMatchObject({
    code: 'RATE_LIMITED',
    retryAfterSeconds: expect.any(Number),
  });
  // Another consumer has a count of its own.
  expect((await hub.query('{ __typename }', {}, await hub.as('science', 'industrial-policy'))).status).toBe(200);
});

it('counts refused identities per address too', async () => {
  const answers = [];
  for (let i = 0; i < 4; i++)
    answers.push((await hub.query('{ __typename }', {}, { authorization: 'Bearer not-a-token' })).status);
  expect(answers).toEqual([401, 401, 401, 429]);
});
