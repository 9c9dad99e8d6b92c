import {
  admitSignedCall,
  CONSUMER_HEADER,
  MemoryNonceStore,
  SIGNATURE_HEADER,
  signedSubgraphHeaders,
  verifySubgraphSignature,
} from './consumerHeader';

const key = 'subgraph-signing-key-for-tests-0123456789';
const body = {
  query: '{ _entities(representations: $r) { __typename } }',
  variables: { r: [{ __typename: 'School', code: '2111000017' }] },
};
const claims = {
  consumer: 'district-haidian',
  purpose: 'enrollment-planning',
  requestId: 'r1',
  scope: { scope: { districtCode: '110108' }, fields: ['School.students'] },
};

function split(headers: Record<string, string>) {
  return { consumer: headers[CONSUMER_HEADER], signature: headers[SIGNATURE_HEADER] };
}

describe('signed subgraph call', () => {
  it('verifies what the gateway signed, with a nonce that differs on every call', () => {
    const headers = signedSubgraphHeaders(key, 'education', body, claims, { now: 1_000_000 });
    expect(headers[SIGNATURE_HEADER]).toMatch(/^t=1000000,n=[A-Za-z0-9_-]{22},v1=[A-Za-z0-9_-]{43}$/);
    expect(signedSubgraphHeaders(key, 'education', body, claims, { now: 1_000_000 })[SIGNATURE_HEADER]).not.toBe(
      headers[SIGNATURE_HEADER],
    );
    const nonce = /n=([^,]+)/.exec(headers[SIGNATURE_HEADER]!)![1];
    expect(verifySubgraphSignature(key, 'education', split(headers), body, { now: 1_000_500 })).toEqual({
      ok: true,
      claims,
      timestamp: 1_000_000,
      nonce,
    });
  });

  it('signs a call made for no consumer, and the consumer header can be neither stripped nor added', () => {
    const anonymous = signedSubgraphHeaders(key, 'education', body, undefined, { now: 1_000_000 });
    expect(anonymous[CONSUMER_HEADER]).toBeUndefined();
    expect(verifySubgraphSignature(key, 'education', split(anonymous), body, { now: 1_000_000 })).toMatchObject({
      ok: true,
    });
    expect(verifySubgraphSignature(key, 'education', split(anonymous), body, { now: 1_000_000 })).not.toHaveProperty(
      'claims',
    );
    const added = Buffer.from(JSON.stringify(claims)).toString('base64url');
    expect(
      verifySubgraphSignature(key, 'education', { ...split(anonymous), consumer: added }, body, { now: 1_000_000 }),
    ).toEqual({ ok: false, reason: 'bad-signature' });
    const signed = signedSubgraphHeaders(key, 'education', body, claims, { now: 1_000_000 });
    expect(
      verifySubgraphSignature(key, 'education', { signature: signed[SIGNATURE_HEADER] }, body, { now: 1_000_000 }),
    ).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses another body, another key, an edited header or nonce, a missing or malformed signature', () => {
    const headers = signedSubgraphHeaders(key, 'education', body, claims, { now: 1_000_000 });
    expect(
      verifySubgraphSignature(key, 'education', split(headers), { ...body, variables: { r: [] } }, { now: 1_000_000 }),
    ).toEqual({ ok: false, reason: 'bad-signature' });
    expect(
      verifySubgraphSignature(
        key,
        'education',
        split(headers),
        { ...body, query: '{ __typename }' },
        { now: 1_000_000 },
      ),
    ).toEqual({ ok: false, reason: 'bad-signature' });
    expect(
      verifySubgraphSignature('another-key-another-key-another-key!!', 'education', split(headers), body, {
        now: 1_000_000,
      }),
    ).toEqual({ ok: false, reason: 'bad-signature' });
    const forged = Buffer.from(JSON.stringify({ ...claims, scope: undefined })).toString('base64url');
    expect(
      verifySubgraphSignature(key, 'education', { ...split(headers), consumer: forged }, body, { now: 1_000_000 }),
    ).toEqual({ ok: false, reason: 'bad-signature' });
    const otherNonce = headers[SIGNATURE_HEADER]!.replace(/n=[^,]+/, 'n=AAAAAAAAAAAAAAAAAAAAAA');
    expect(
      verifySubgraphSignature(key, 'education', { ...split(headers), signature: otherNonce }, body, { now: 1_000_000 }),
    ).toEqual({ ok: false, reason: 'bad-signature' });
    const otherTime = headers[SIGNATURE_HEADER]!.replace('t=1000000', 't=1000001');
    expect(
      verifySubgraphSignature(key, 'education', { ...split(headers), signature: otherTime }, body, { now: 1_000_000 }),
    ).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifySubgraphSignature(key, 'education', {}, body)).toEqual({ ok: false, reason: 'missing' });
    expect(verifySubgraphSignature(key, 'education', { consumer: headers[CONSUMER_HEADER] }, body)).toEqual({
      ok: false,
      reason: 'missing',
    });
    expect(verifySubgraphSignature(key, 'education', { consumer: 'x', signature: 'nonsense' }, body)).toEqual({
      ok: false,
      reason: 'malformed',
    });
    // The previous format, without a nonce, is no longer accepted.
    expect(
      verifySubgraphSignature(
        key,
        'education',
        { signature: headers[SIGNATURE_HEADER]!.replace(/n=[^,]+,/, '') },
        body,
      ),
    ).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses signed claims that are not claims', () => {
    // A correctly signed header whose content is not ConsumerClaims: only a key holder can make one.
    const headers = signedSubgraphHeaders(key, 'education', body, { requestId: 'r1' } as never, { now: 1_000_000 });
    expect(verifySubgraphSignature(key, 'education', split(headers), body, { now: 1_000_000 })).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('carries the case a request serves, signed like the rest; a case that is no case reference is malformed', () => {
    const withCase = { ...claims, case: 'FGW-2026-000123' };
    const headers = split(signedSubgraphHeaders(key, 'development-reform', body, withCase, { now: 1_000_000 }));
    expect(verifySubgraphSignature(key, 'development-reform', headers, body, { now: 1_000_000 })).toMatchObject({
      ok: true,
      claims: withCase,
    });
    // Inside the header the MAC covers: an agency whose schema predates `case` verifies the same bytes.
    const decoded = JSON.parse(Buffer.from(headers.consumer!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(decoded.case).toBe('FGW-2026-000123');
    for (const bad of ['', 'two words', 'x'.repeat(65)]) {
      const forged = split(
        signedSubgraphHeaders(key, 'development-reform', body, { ...claims, case: bad }, { now: 1_000_000 }),
      );
      expect(verifySubgraphSignature(key, 'development-reform', forged, body, { now: 1_000_000 })).toEqual({
        ok: false,
        reason: 'malformed',
      });
    }
  });

  it('accepts a signature for 30 s by default and 5 s ahead of the clock; both configurable', () => {
    const headers = split(signedSubgraphHeaders(key, 'education', body, claims, { now: 1_000_000 }));
    expect(verifySubgraphSignature(key, 'education', headers, body, { now: 1_030_000 })).toMatchObject({ ok: true });
    expect(verifySubgraphSignature(key, 'education', headers, body, { now: 1_030_001 })).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(verifySubgraphSignature(key, 'education', headers, body, { now: 995_000 })).toMatchObject({ ok: true });
    expect(verifySubgraphSignature(key, 'education', headers, body, { now: 994_999 })).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(verifySubgraphSignature(key, 'education', headers, body, { now: 1_005_000, maxAgeMs: 4_000 })).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(verifySubgraphSignature(key, 'education', headers, body, { now: 999_000, clockSkewMs: 0 })).toEqual({
      ok: false,
      reason: 'stale',
    });
  });
});

describe('admitting a signed call', () => {
  it('admits a call once; the same call sent again is replayed', async () => {
    const store = new MemoryNonceStore();
    const headers = split(signedSubgraphHeaders(key, 'education', body, claims, { now: 1_000_000 }));
    expect(await admitSignedCall(key, 'education', headers, body, store, { now: 1_000_100 })).toEqual({
      ok: true,
      claims,
    });
    expect(await admitSignedCall(key, 'education', headers, body, store, { now: 1_000_200 })).toEqual({
      ok: false,
      reason: 'replayed',
    });
    // Once the signature is too old, the replay is stale, whatever the store still remembers.
    expect(await admitSignedCall(key, 'education', headers, body, store, { now: 1_031_000 })).toEqual({
      ok: false,
      reason: 'stale',
    });
  });

  it('claims no nonce for a refused call', async () => {
    const store = new MemoryNonceStore();
    const headers = split(signedSubgraphHeaders(key, 'education', body, claims, { now: 1_000_000 }));
    expect(
      await admitSignedCall(key, 'education', headers, { query: '{ __typename }' }, store, { now: 1_000_000 }),
    ).toEqual({ ok: false, reason: 'bad-signature' });
    expect(store.size).toBe(0);
    expect(await admitSignedCall(key, 'education', headers, body, store, { now: 1_000_000 })).toMatchObject({
      ok: true,
    });
  });

  it('refuses the call when the nonce store cannot answer', async () => {
    const broken = { claim: () => Promise.reject(new Error('store down')) };
    const headers = split(signedSubgraphHeaders(key, 'education', body, claims));
    await expect(admitSignedCall(key, 'education', headers, body, broken)).rejects.toThrow('store down');
  });
});

describe('MemoryNonceStore', () => {
  it('forgets a nonce once it has expired', async () => {
    const store = new MemoryNonceStore();
    expect(await store.claim('a', 1_030_000, 1_000_000)).toBe('fresh');
    expect(await store.claim('b', 1_031_000, 1_001_000)).toBe('fresh');
    expect(await store.claim('a', 1_030_000, 1_029_000)).toBe('replayed');
    expect(await store.claim('c', 1_060_000, 1_030_500)).toBe('fresh');
    expect(store.size).toBe(2);
    expect(await store.claim('d', 1_100_000, 1_070_000)).toBe('fresh');
    expect(store.size).toBe(1);
  });

  it('never holds more than its bound, and an evicted nonce cannot be replayed', async () => {
    const store = new MemoryNonceStore(3);
    for (const [i, nonce] of ['a', 'b', 'c', 'd', 'e'].entries())
      expect(await store.claim(nonce, 1_030_000 + i, 1_000_000)).toBe('fresh');
    expect(store.size).toBe(3);
    // `a` and `b` were evicted: sent again while their signatures are still fresh, they are refused.
    expect(await store.claim('a', 1_030_000, 1_000_010)).toBe('stale');
    expect(await store.claim('b', 1_030_001, 1_000_010)).toBe('stale');
    expect(await store.claim('e', 1_030_004, 1_000_010)).toBe('replayed');
    // Newer calls still get in.
    expect(await store.claim('f', 1_030_100, 1_000_100)).toBe('fresh');
    expect(store.size).toBeLessThanOrEqual(3);
  });

  it('stays bounded under a flood of valid calls', async () => {
    const store = new MemoryNonceStore(1_000);
    for (let i = 0; i < 20_000; i++) await store.claim(`n${i}`, 1_030_000 + i, 1_000_000 + i);
    expect(store.size).toBe(1_000);
  });
});

describe('the audience of a signature', () => {
  it('binds a call to the subgraph it was signed for', () => {
    const key = 'audience-test-key-audience-test-key-0123';
    const body = { query: '{ __typename }' };
    const signed = signedSubgraphHeaders(key, 'science', body, undefined, { now: 1_000_000 });
    const headers = { signature: signed[SIGNATURE_HEADER] };
    expect(verifySubgraphSignature(key, 'science', headers, body, { now: 1_000_000 })).toMatchObject({ ok: true });
    expect(verifySubgraphSignature(key, 'education', headers, body, { now: 1_000_000 })).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });
});
