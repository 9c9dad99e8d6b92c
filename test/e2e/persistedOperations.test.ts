import { loadOperationManifest, DEFAULT_OPERATIONS_FILE } from '@cdo-hub/gateway';
import { as, HubProcess } from '../harness/hubProcess';

// A hub serving only the operations of its allow-list (PERSISTED_OPERATIONS=only): registered
// operations by hash (POST and GET) or by their exact text; anything else refused before it is
// parsed, planned or fetched.

let hub: HubProcess;
const manifest = loadOperationManifest(DEFAULT_OPERATIONS_FILE);
const totals = manifest.operations.find((operation) => operation.name === 'DistrictTotals')!;

beforeAll(async () => {
  hub = await HubProcess.start({ env: { PERSISTED_OPERATIONS: 'only' } });
});

afterAll(async () => {
  await hub?.stop();
});

type Body = {
  data?: { districts?: { nodes: unknown[] } };
  errors?: { message: string; extensions?: { code?: string } }[];
};

async function post(body: unknown): Promise<{ status: number; body: Body }> {
  const response = await fetch(hub.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await as('city-analytics', 'statistics')) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Body };
}

const byHash = (id: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: id } } });

describe('PERSISTED_OPERATIONS=only', () => {
  it('serves a registered operation sent by its hash', async () => {
    const answer = await post(byHash(totals.id));
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data!.districts!.nodes.length).toBeGreaterThan(10);
  });

  it('serves it over GET too, and by its exact text', async () => {
    const url = `${hub.gatewayUrl}?extensions=${encodeURIComponent(JSON.stringify(byHash(totals.id).extensions))}`;
    const get = await fetch(url, {
      headers: { 'apollo-require-preflight': 'true', ...(await as('city-analytics', 'statistics')) },
    });
    expect(get.status).toBe(200);
    expect(((await get.json()) as Body).data!.districts!.nodes.length).toBeGreaterThan(10);
    expect((await post({ query: totals.body })).status).toBe(200);
  });

  it('refuses any other text, unknown hashes, and a batch holding one of them', async () => {
    const text = await post({ query: '{ districts(first: 1) { totalCount } }' });
    expect(text).toEqual({
      status: 400,
      body: {
        errors: [
          {
            message: expect.stringContaining('registered operations'),
            extensions: { code: 'PERSISTED_OPERATION_REQUIRED' },
          },
        ],
      },
    });
    const unknown = await post(byHash('0'.repeat(64)));
    expect(unknown).toEqual({
      status: 400,
      body: { errors: [{ message: expect.any(String), extensions: { code: 'PERSISTED_OPERATION_NOT_FOUND' } }] },
    });
    const batch = await post([byHash(totals.id), { query: '{ __typename }' }]);
    expect(batch.status).toBe(400);
    expect(batch.body.errors![0]!.extensions!.code).toBe('PERSISTED_OPERATION_REQUIRED');
  });
});
