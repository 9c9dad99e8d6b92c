import { startInProcessHub, type InProcessHub } from './gatewayHarness';

// requestGateHook.ts: batch length, variables size and document shape are refused with the limit
// and the actual value before Apollo Server parses anything.

let hub: InProcessHub;

beforeAll(async () => {
  hub = await startInProcessHub({
    withoutAgencies: true,
    env: { LIMIT_BATCH: '2', LIMIT_DEPTH: '3', LIMIT_VARIABLES_BYTES: '64' },
  });
});

afterAll(async () => {
  await hub?.stop();
});

async function post(payload: unknown) {
  const response = await hub.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...(await hub.as('city-analytics', 'statistics')) },
    payload: JSON.stringify(payload),
  });
  return { status: response.statusCode, body: response.json() };
}

it('refuses a batch longer than LIMIT_BATCH with the limit and the length', async () => {
  const answer = await post([{ query: '{ __typename }' }, { query: '{ __typename }' }, { query: '{ __typename }' }]);
  expect(answer.status).toBe(400);
  expect(answer.body.errors[0].extensions).toMatchObject({ code: 'BATCH_TOO_LARGE', limit: 2, actual: 3 });
});

it('refuses an operation deeper than LIMIT_DEPTH and variables larger than LIMIT_VARIABLES_BYTES', async () => {
  const deep = await post({
    query: '{ schools(first: 1) { nodes { district { schools(first: 1) { nodes { name } } } } } }',
  });
  expect(deep.body.errors[0].extensions).toMatchObject({ limit: 3, actual: expect.any(Number) });
  expect(deep.body.errors[0].extensions.actual).toBeGreaterThan(3);
  const variables = await post({ query: 'query ($name: String) { __typename }', variables: { name: 'x'.repeat(200) } });
  expect(variables.body.errors[0].extensions).toMatchObject({ limit: 64 });
});

it('lets an operation within every bound through to Apollo Server', async () => {
  expect(await post({ query: '{ __typename }' })).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
});
