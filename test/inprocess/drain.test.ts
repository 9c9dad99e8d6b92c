import { startInProcessHub, type InProcessHub } from './gatewayHarness';

// drain.ts: once a drain begins, readiness fails at once while requests are still served for the
// delay (load balancers notice first). The 503 SHUTTING_DOWN for a request arriving on a kept-alive
// connection while the server closes needs real sockets: test/e2e/shutdown.test.ts.

let hub: InProcessHub;

beforeAll(async () => {
  hub = await startInProcessHub();
});

afterAll(async () => {
  await hub?.stop();
});

it('fails readiness at once and keeps serving GraphQL during the delay', async () => {
  expect((await hub.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  void hub.server.shutdown({ delayMs: 600_000 }).catch(() => undefined);
  const readiness = await hub.inject({ method: 'GET', url: '/readyz' });
  expect(readiness.statusCode).toBe(503);
  const answer = await hub.query('{ __typename }', {}, await hub.as('city-analytics', 'statistics'));
  expect(answer.status).toBe(200);
  expect(answer.body).toEqual({ data: { __typename: 'Query' } });
});
