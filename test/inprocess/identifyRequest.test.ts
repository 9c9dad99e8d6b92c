import { startInProcessHub, type InProcessHub } from './gatewayHarness';

// identifyRequest.ts and graphqlContext.ts: the asker's token and purpose are checked before the
// operation runs; a refusal carries its code and status, and the request's log lines name the
// consumer and purpose.

let hub: InProcessHub;

beforeAll(async () => {
  hub = await startInProcessHub({ withoutAgencies: true });
});

afterAll(async () => {
  await hub?.stop();
});

it('refuses a token it did not sign with 401 INVALID_TOKEN', async () => {
  const answer = await hub.query('{ __typename }', {}, { authorization: 'Bearer not-a-token' });
  expect(answer.status).toBe(401);
  expect(answer.body.errors![0]!.extensions!.code).toBe('INVALID_TOKEN');
  expect(answer.body.data).toBeUndefined();
});

it('refuses a purpose the consumer does not hold', async () => {
  const answer = await hub.query('{ __typename }', {}, await hub.as('city-analytics', 'no-such-purpose'));
  expect({ status: answer.status, code: answer.body.errors![0]!.extensions!.code }).toEqual({
    status: 403,
    code: 'PURPOSE_NOT_REGISTERED',
  });
});

it('serves a known consumer and names it on the request log line', async () => {
  const answer = await hub.query('query WhoAmI { __typename }', {}, await hub.as('city-analytics', 'statistics'));
  expect(answer.status).toBe(200);
  const line = hub.logs.find((entry) => entry.msg === 'graphql request' && entry.operationName === 'WhoAmI');
  expect(line).toMatchObject({
    consumer: 'city-analytics',
    purpose: 'statistics',
    reqId: answer.headers['x-request-id'],
  });
});
