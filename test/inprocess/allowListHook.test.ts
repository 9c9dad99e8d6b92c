import { DEFAULT_OPERATIONS_FILE, loadOperationManifest } from '@cdo-hub/gateway';
import { startInProcessHub, type InProcessHub } from './gatewayHarness';

// allowListHook.ts (PERSISTED_OPERATIONS=only): a registered operation by hash, over POST and GET,
// runs as its registered text; any other text or hash is refused before Apollo Server parses it.

let hub: InProcessHub;
const totals = loadOperationManifest(DEFAULT_OPERATIONS_FILE).operations.find(
  (operation) => operation.name === 'DistrictTotals',
)!;
const byHash = { persistedQuery: { version: 1, sha256Hash: totals.id } };

beforeAll(async () => {
  hub = await startInProcessHub({ env: { PERSISTED_OPERATIONS: 'only' } });
});

afterAll(async () => {
  await hub?.stop();
});

it('runs a registered operation sent by its hash, over POST and GET', async () => {
  const headers = { 'content-type': 'application/json', ...(await hub.as('city-analytics', 'statistics')) };
  const post = await hub.inject({ method: 'POST', url: '/graphql', headers, payload: { extensions: byHash } });
  expect(post.json().errors).toBeUndefined();
  expect(post.json().data.districts.nodes.length).toBeGreaterThan(1);
  const get = await hub.inject({
    method: 'GET',
    url: `/graphql?extensions=${encodeURIComponent(JSON.stringify(byHash))}`,
    headers: { ...headers, 'apollo-require-preflight': 'true' },
  });
  expect(get.statusCode).toBe(200);
  expect(get.json().data).toEqual(post.json().data);
});

it('refuses a text not on the list, an unknown hash, and a batch holding either', async () => {
  const headers = await hub.as('city-analytics', 'statistics');
  const text = await hub.query('{ districts(first: 1) { totalCount } }', {}, headers);
  expect(text.status).toBe(400);
  expect(text.body.errors![0]!.extensions!.code).toBe('PERSISTED_OPERATION_REQUIRED');
  const unknown = await hub.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...headers },
    payload: { extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } },
  });
  expect(unknown.json().errors[0].extensions.code).toBe('PERSISTED_OPERATION_NOT_FOUND');
  const batch = await hub.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...headers },
    payload: [{ extensions: byHash }, { query: '{ __typename }' }],
  });
  expect(batch.statusCode).toBe(400);
  expect(batch.json().errors[0].extensions.code).toBe('PERSISTED_OPERATION_REQUIRED');
});
