import { startInProcessHub, type InProcessHub } from './gatewayHarness';

// errorShaping.ts: every error carries a catalogued code; validation errors do not suggest field
// names (they could name fields the consumer's schema hides); a refused operation gets its
// catalogued status; Apollo Server's 405 for a mutation over GET carries METHOD_NOT_ALLOWED.

let hub: InProcessHub;

beforeAll(async () => {
  hub = await startInProcessHub({ withoutAgencies: true });
});

afterAll(async () => {
  await hub?.stop();
});

it('strips "Did you mean" suggestions from validation errors', async () => {
  const answer = await hub.query('{ district { code } }', {}, await hub.as('city-analytics', 'statistics'));
  expect(answer.status).toBe(400);
  const [error] = answer.body.errors!;
  expect(error!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
  expect(error!.message).not.toMatch(/Did you mean/);
});

it('gives an unknown operation name its own code', async () => {
  const response = await hub.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...(await hub.as('city-analytics', 'statistics')) },
    payload: { query: 'query A { __typename } query B { __typename }', operationName: 'C' },
  });
  expect(response.json().errors[0].extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');
});

it('answers a mutation over GET with 405 METHOD_NOT_ALLOWED, and PUT on /graphql too', async () => {
  const get = await hub.inject({
    method: 'GET',
    url: `/graphql?query=${encodeURIComponent('mutation { __typename }')}`,
    headers: { 'apollo-require-preflight': 'true', ...(await hub.as('city-analytics', 'statistics')) },
  });
  expect(get.statusCode).toBe(405);
  expect(get.json().errors[0].extensions.code).toBe('METHOD_NOT_ALLOWED');
  const put = await hub.inject({ method: 'PUT', url: '/graphql', payload: {} });
  expect(put.statusCode).toBe(405);
  expect(put.headers.allow).toBe('GET, POST');
  expect(put.json().errors[0].extensions.code).toBe('METHOD_NOT_ALLOWED');
});
