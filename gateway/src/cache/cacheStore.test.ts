import { RedisTestServer } from '../testing';
import type { CacheStore } from './cacheStore';
import { MemoryCacheStore } from './memoryCacheStore';
import { RedisCacheStore } from './redisCacheStore';

// One contract, both backends: the in-memory LRU (embedded default) and Redis (a real
// redis-server on a free port, a fresh database per test).

let redis: RedisTestServer;
beforeAll(async () => {
  redis = await RedisTestServer.start({ appendonly: 'no' });
});
afterAll(async () => {
  await redis?.stop();
});

const stores: CacheStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

let database = 0;
const backends: [string, () => Promise<CacheStore>][] = [
  ['memory', async () => new MemoryCacheStore()],
  [
    'redis',
    async () => {
      const store = RedisCacheStore.connect(`${redis.url}/${++database}`);
      const deadline = Date.now() + 5000;
      while (store.health !== 'up' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      return store;
    },
  ],
];

describe.each(backends)('cache store contract: %s', (_, open) => {
  const fresh = async () => {
    const store = await open();
    stores.push(store);
    return store;
  };

  it('returns what was stored, with when, until its TTL runs out', async () => {
    const store = await fresh();
    const before = Date.now();
    expect(await store.set('k1', '{"a":1}', { ttlMs: 150, tags: ['School'], mark: await store.mark() })).toBe(true);
    const hit = await store.get('k1');
    expect(hit?.value).toBe('{"a":1}');
    expect(hit!.storedAt).toBeGreaterThanOrEqual(before - 5);
    expect(await store.get('k2')).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await store.get('k1')).toBeUndefined();
    expect(await store.set('k3', 'x', { ttlMs: 0, tags: [], mark: await store.mark() })).toBe(false);
  });

  it('reads several entries at once, in the order asked, missing ones as undefined', async () => {
    const store = await fresh();
    const mark = await store.mark();
    await store.set('m1', 'one', { ttlMs: 60_000, tags: ['School:1'], mark });
    await store.set('m3', 'three|with a bar', { ttlMs: 60_000, tags: ['School:3'], mark });
    expect((await store.getMany(['m3', 'm2', 'm1'])).map((hit) => hit?.value)).toEqual([
      'three|with a bar',
      undefined,
      'one',
    ]);
    expect(await store.getMany([])).toEqual([]);
  });

  it('invalidates by tag every entry carrying it, and only those', async () => {
    const store = await fresh();
    const mark = await store.mark();
    await store.set('a', '1', { ttlMs: 60_000, tags: ['School', 'School:1'], mark });
    await store.set('b', '2', { ttlMs: 60_000, tags: ['School', 'School:2'], mark });
    await store.set('c', '3', { ttlMs: 60_000, tags: ['District:110108'], mark });
    expect(await store.invalidate(['School:1'])).toBe(1);
    expect(await store.get('a')).toBeUndefined();
    expect((await store.get('b'))?.value).toBe('2');
    expect(await store.invalidate(['School', 'Nothing'])).toBe(1);
    expect(await store.get('b')).toBeUndefined();
    expect((await store.get('c'))?.value).toBe('3');
    expect(await store.invalidate([])).toBe(0);
  });

  it('refuses a fill that raced an invalidation of one of its tags', async () => {
    const store = await fresh();
    const mark = await store.mark(); // the fill starts fetching…
    await store.invalidate(['School:1']); // …the school changes meanwhile…
    expect(await store.set('stale', 'old data', { ttlMs: 60_000, tags: ['School:1'], mark })).toBe(false); // …so its result is not kept
    expect(await store.get('stale')).toBeUndefined();
    expect(await store.set('other', 'fine', { ttlMs: 60_000, tags: ['School:2'], mark })).toBe(true);
    expect(await store.set('again', 'new data', { ttlMs: 60_000, tags: ['School:1'], mark: await store.mark() })).toBe(
      true,
    );
  });

  it('keeps entries written with different tags independent after overwrites', async () => {
    const store = await fresh();
    const mark = await store.mark();
    await store.set('k', 'v1', { ttlMs: 60_000, tags: ['A'], mark });
    await store.set('k', 'v2', { ttlMs: 60_000, tags: ['B'], mark });
    expect((await store.get('k'))?.value).toBe('v2');
    await store.invalidate(['B']);
    expect(await store.get('k')).toBeUndefined();
  });
});

describe('memory cache bounds', () => {
  it('evicts by size and never lets a fill through once the invalidation log forgot its tag', async () => {
    const store = new MemoryCacheStore({ maxBytes: 10_000, maxTags: 2 });
    const mark = await store.mark();
    for (let i = 0; i < 50; i++) await store.set(`k${i}`, 'x'.repeat(400), { ttlMs: 60_000, tags: [`T${i}`], mark });
    expect(await store.get('k0')).toBeUndefined();
    expect((await store.get('k49'))?.value).toHaveLength(400);
    await store.invalidate(['X1']);
    await store.invalidate(['X2']);
    await store.invalidate(['X3']); // X1's record is forgotten
    expect(await store.set('late', 'v', { ttlMs: 60_000, tags: ['X1'], mark })).toBe(false);
    expect(await store.set('later', 'v', { ttlMs: 60_000, tags: ['X1'], mark: await store.mark() })).toBe(true);
  });
});
