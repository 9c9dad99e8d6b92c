import { MemoryCacheStore, RedisCacheStore } from '../cache';
import { operationId } from './manifest';
import { readPersistedQuery, registrationScope, ScopedQueryRegistrations } from './scopedRegistrations';

const QUERY = '{ districts(first: 1) { nodes { name } } }';
const HASH = operationId(QUERY);
const apq = (hash: unknown, version: unknown = 1) => ({ persistedQuery: { version, sha256Hash: hash } });

describe('reading an operation for the APQ step', () => {
  it('looks up a hash sent alone, over POST or GET', () => {
    expect(readPersistedQuery({ extensions: apq(HASH) })).toEqual({ kind: 'lookup', hash: HASH });
    expect(readPersistedQuery({ extensions: JSON.stringify(apq(HASH)), variables: '{}' })).toEqual({
      kind: 'lookup',
      hash: HASH,
    });
  });

  it('registers a text sent with its own hash, and nothing else', () => {
    expect(readPersistedQuery({ query: QUERY, extensions: apq(HASH) })).toEqual({
      kind: 'register',
      hash: HASH,
      query: QUERY,
    });
    // A hash of another text: Apollo Server answers "provided sha does not match query".
    expect(readPersistedQuery({ query: `${QUERY} `, extensions: apq(HASH) })).toEqual({ kind: 'none' });
  });

  it('leaves to Apollo Server everything else: texts, other versions, malformed hashes and extensions', () => {
    for (const operation of [
      { query: QUERY },
      { extensions: apq(HASH, 2) },
      { extensions: apq(HASH.toUpperCase()) },
      { extensions: apq('0'.repeat(63)) },
      { extensions: apq(42) },
      { extensions: '{not json' },
      { extensions: { persistedQuery: 'x' } },
      { query: 7, extensions: apq(HASH) },
      null,
      'text',
      [],
    ]) {
      expect(readPersistedQuery(operation)).toEqual({ kind: 'none' });
    }
  });
});

describe('whose registrations a request reads', () => {
  const consumer = (id: string, anonymous = false) => ({ consumer: { id }, anonymous });
  it('a registered consumer by its id, wherever it calls from; the public by client address', () => {
    expect(registrationScope(consumer('science'), '10.0.0.1')).toBe('consumer:science');
    expect(registrationScope(consumer('science'), '10.0.0.2')).toBe('consumer:science');
    expect(registrationScope(consumer('public', true), '10.0.0.1')).toBe('address:10.0.0.1');
    expect(registrationScope(undefined, '10.0.0.1')).toBe('address:10.0.0.1');
  });
});

describe('the registrations, in the cache store', () => {
  it('are read back only in the scope that registered them', async () => {
    const registrations = new ScopedQueryRegistrations(new MemoryCacheStore(), 60);
    await registrations.register('consumer:science', [{ hash: HASH, query: QUERY }]);
    expect(await registrations.lookup('consumer:science', [HASH, '0'.repeat(64)])).toEqual([QUERY, undefined]);
    expect(await registrations.lookup('consumer:education', [HASH])).toEqual([undefined]);
    expect(await registrations.lookup('address:10.0.0.1', [HASH])).toEqual([undefined]);
  });

  it('are a miss, never a failure, when the store is away', async () => {
    // A Redis nobody listens on: every command fails at once (no offline queue).
    const store = RedisCacheStore.connect('redis://127.0.0.1:1');
    try {
      const registrations = new ScopedQueryRegistrations(store, 60);
      await expect(registrations.register('consumer:science', [{ hash: HASH, query: QUERY }])).resolves.toBeUndefined();
      await expect(registrations.lookup('consumer:science', [HASH])).resolves.toEqual([undefined]);
    } finally {
      await store.close();
    }
  });
});
