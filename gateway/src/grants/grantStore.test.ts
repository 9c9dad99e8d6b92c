import { Redis } from 'ioredis';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisTestServer } from '../testing';
import { FileGrantStore, GRANT_STORE_FILE, type GrantStore } from './grantStore';
import type { GrantStoreState } from './model';
import { RedisGrantStore } from './redisGrantStore';

// One contract, both backends: the folder store (embedded default) and the Redis store.

let redis: RedisTestServer;
beforeAll(async () => {
  redis = await RedisTestServer.start();
});
afterAll(async () => {
  await redis?.stop();
});

const opened: GrantStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

let redisDb = 0;
const backends: [string, () => Promise<[GrantStore, GrantStore, (text: string) => Promise<void>]>][] = [
  [
    'file',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'grant-store-'));
      return [
        new FileGrantStore(dir),
        new FileGrantStore(dir),
        async (text) => writeFileSync(join(dir, GRANT_STORE_FILE), text),
      ];
    },
  ],
  [
    'redis',
    async () => {
      const url = `${redis.url}/${++redisDb}`;
      const corrupt = async (text: string) => {
        const raw = new Redis(url);
        await raw.set('cdo-hub:grants:{store}:state', text);
        await raw.publish('cdo-hub:grants:changed', 'x');
        raw.disconnect();
      };
      return [await RedisGrantStore.open(url), await RedisGrantStore.open(url), corrupt];
    },
  ],
];

const addRequest = (state: GrantStoreState, id: string): GrantStoreState => ({
  ...state,
  requests: [
    ...state.requests,
    {
      id,
      agency: 'education',
      consumer: 'city-analytics',
      fields: ['Student.name'],
      purpose: 'statistics',
      reason: 'r',
      requestedAt: 't',
      requestedBy: 'b',
      deadline: '2026-12-11',
      status: 'pending',
    },
  ],
});

describe.each(backends)('grant store contract: %s', (_, open) => {
  it('starts empty, applies changes atomically and loses none under concurrency (two handles)', async () => {
    const [a, b] = await open();
    opened.push(a, b);
    expect(await a.read()).toMatchObject({ revision: 0, requests: [] });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? a : b).update((state) => ({ state: addRequest(state, `REQ-${i}`), result: i })),
      ),
    );
    const state = await b.read();
    expect(state.revision).toBe(10);
    expect(state.requests.map((r) => r.id).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `REQ-${i}`).sort());
  });

  it('leaves the store unchanged when a change throws or changes nothing', async () => {
    const [a, b] = await open();
    opened.push(a, b);
    await a.update((state) => ({ state: addRequest(state, 'REQ-1'), result: undefined }));
    await expect(
      a.update(() => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await a.update((state) => ({ state, result: 'same' }))).toBe('same');
    expect((await a.read()).revision).toBe(1);
  });

  it('keeps deletion attestations, and reads a store written before they existed as having none', async () => {
    const [a, b, write] = await open();
    opened.push(a, b);
    const attestation = {
      grantId: 'GRANT-2026-0001',
      agency: 'education',
      consumer: 'city-analytics',
      attestedAt: '2026-12-22T02:00:00.000Z',
      attestedBy: '张伟 (city-analytics)',
      note: 'extracts wiped',
    };
    await a.update((state) => ({ state: { ...state, attestations: [...state.attestations, attestation] }, result: 0 }));
    expect((await b.read()).attestations).toEqual([attestation]);
    await write(JSON.stringify({ storeId: 'old', revision: 3, requests: [], grants: [], events: [] }));
    expect(await b.read()).toMatchObject({ storeId: 'old', revision: 3, attestations: [] });
  });

  it('keeps what a later release wrote: fields it does not know survive a change', async () => {
    // During a rolling upgrade an older gateway may record a decision in a store a newer one wrote.
    const [a, b, write] = await open();
    opened.push(a, b);
    const request = { ...addRequest({ requests: [] } as unknown as GrantStoreState, 'REQ-2026-0001').requests[0]! };
    await write(
      JSON.stringify({
        storeId: 'newer',
        revision: 1,
        requests: [{ ...request, triage: 'urgent' }],
        grants: [],
        events: [],
        attestations: [],
        disputes: [{ id: 'DSP-2026-0001' }],
      }),
    );
    await a.update((state) => ({ state: addRequest(state, 'REQ-2026-0002'), result: 0 }));
    const after = (await b.read()) as GrantStoreState & { disputes?: unknown };
    expect(after.disputes).toEqual([{ id: 'DSP-2026-0001' }]);
    expect(after.requests[0]).toMatchObject({ id: 'REQ-2026-0001', triage: 'urgent' });
    expect(after.requests.map((r) => r.id)).toEqual(['REQ-2026-0001', 'REQ-2026-0002']);
  });

  it('tells watchers of a change made through another handle, and ignores a malformed state', async () => {
    const [a, b, corrupt] = await open();
    opened.push(a, b);
    const seen: number[] = [];
    const stop = b.watch((state) => seen.push(state.revision));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await a.update((state) => ({ state: addRequest(state, 'REQ-1'), result: undefined }));
    const deadline = Date.now() + 5000;
    while (!seen.includes(1) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toContain(1);
    await corrupt('{"storeId": 1}');
    await expect(a.read()).rejects.toThrow(/malformed/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen).toEqual([1]);
    stop();
  });
});

it('refuses a Redis that could lose a revocation', async () => {
  const lossy = await RedisTestServer.start({ appendonly: 'no' });
  try {
    await expect(RedisGrantStore.open(lossy.url)).rejects.toThrow(/appendonly is off/);
  } finally {
    await lossy.stop();
  }
});
