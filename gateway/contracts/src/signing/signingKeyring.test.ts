import { CHANGE_SIGNATURE_HEADER, signChangeEvent, verifyChangeEvent } from './changeEvents';
import {
  admitSignedCall,
  CONSUMER_HEADER,
  MemoryNonceStore,
  SIGNATURE_HEADER,
  signedSubgraphHeaders,
  verifySubgraphSignature,
} from './consumerHeader';
import { parsePreviousKeys, signingKeyring } from './signingKeyring';

// A rotation of the subgraph signing key as the agencies live through it: they hold the new key
// and the old one while the gateways move, then only the new one.

const OLD = 'subgraph-signing-key-before-rotation-0123';
const NEW = 'subgraph-signing-key-after-rotation-45678';
const OLDER = 'subgraph-signing-key-two-rotations-ago-9876';
const body = { query: '{ schools(first: 1) { nodes { code } } }' };
const claims = { consumer: 'district-haidian', purpose: 'enrollment-planning', requestId: 'r1' };

const signedUnder = (key: string) => {
  const headers = signedSubgraphHeaders(key, 'education', body, claims, { now: 1_000_000 });
  return { consumer: headers[CONSUMER_HEADER], signature: headers[SIGNATURE_HEADER] };
};

describe('signingKeyring', () => {
  it('keeps the current key apart from the previous ones, without blanks or repeats of the current key', () => {
    expect(signingKeyring(NEW, [OLD, '', NEW, OLD, OLDER])).toEqual({ current: NEW, previous: [OLD, OLDER] });
    expect(signingKeyring(NEW)).toEqual({ current: NEW, previous: [] });
    expect(() => signingKeyring('')).toThrow(/current key/);
  });

  it('reads previous keys one per line, as a `_FILE` holds them', () => {
    expect(parsePreviousKeys(undefined)).toEqual([]);
    expect(parsePreviousKeys('')).toEqual([]);
    expect(parsePreviousKeys(OLD)).toEqual([OLD]);
    expect(parsePreviousKeys(`  ${OLD}\r\n\n${OLDER}\n`)).toEqual([OLD, OLDER]);
  });
});

describe('a signed call during a rotation', () => {
  it('verifies under the current key, or under a previous one and says so', () => {
    const ring = signingKeyring(NEW, [OLDER, OLD]);
    expect(verifySubgraphSignature(ring, 'education', signedUnder(NEW), body, { now: 1_000_000 })).toEqual({
      ok: true,
      claims,
      timestamp: 1_000_000,
      nonce: expect.any(String),
    });
    expect(verifySubgraphSignature(ring, 'education', signedUnder(OLD), body, { now: 1_000_000 })).toEqual({
      ok: true,
      claims,
      timestamp: 1_000_000,
      nonce: expect.any(String),
      previousKey: true,
    });
  });

  it('refuses a call under a key the ring does not hold: before the rotation, and once the previous key is dropped', () => {
    // Before: agencies on the old key only refuse a gateway that moved first (the order the docs give prevents it).
    expect(verifySubgraphSignature(OLD, 'education', signedUnder(NEW), body, { now: 1_000_000 })).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    // After: the previous key dropped, a call signed with it is refused.
    expect(
      verifySubgraphSignature(signingKeyring(NEW), 'education', signedUnder(OLD), body, { now: 1_000_000 }),
    ).toEqual({ ok: false, reason: 'bad-signature' });
    expect(
      verifySubgraphSignature(signingKeyring(NEW, [OLD]), 'education', signedUnder(OLDER), body, { now: 1_000_000 }),
    ).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('binds a call under a previous key as tightly as one under the current key', () => {
    const ring = signingKeyring(NEW, [OLD]);
    const headers = signedUnder(OLD);
    expect(
      verifySubgraphSignature(ring, 'education', headers, { query: '{ __typename }' }, { now: 1_000_000 }),
    ).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifySubgraphSignature(ring, 'science', headers, body, { now: 1_000_000 })).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    expect(verifySubgraphSignature(ring, 'education', headers, body, { now: 1_031_000 })).toEqual({
      ok: false,
      reason: 'stale',
    });
  });

  it('admits a call under a previous key once, and says it was one', async () => {
    const store = new MemoryNonceStore();
    const ring = signingKeyring(NEW, [OLD]);
    const headers = signedUnder(OLD);
    expect(await admitSignedCall(ring, 'education', headers, body, store, { now: 1_000_000 })).toEqual({
      ok: true,
      claims,
      previousKey: true,
    });
    expect(await admitSignedCall(ring, 'education', headers, body, store, { now: 1_000_000 })).toEqual({
      ok: false,
      reason: 'replayed',
    });
    expect(await admitSignedCall(ring, 'education', signedUnder(NEW), body, store, { now: 1_000_000 })).toEqual({
      ok: true,
      claims,
    });
  });
});

describe('change events during a rotation', () => {
  const event = { agency: 'education', changes: [{ type: 'School', key: '1101080001' }] };

  it('are signed under every key the agency holds, so a gateway on either key accepts them', () => {
    const { body: sent, headers } = signChangeEvent(signingKeyring(NEW, [OLD]), event, 1_000_000);
    expect(headers[CHANGE_SIGNATURE_HEADER]).toMatch(/^t=1000000,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    for (const gatewayKey of [OLD, NEW])
      expect(verifyChangeEvent(gatewayKey, sent, headers[CHANGE_SIGNATURE_HEADER], 1_000_000)).toEqual({
        ok: true,
        event,
      });
    expect(verifyChangeEvent(OLDER, sent, headers[CHANGE_SIGNATURE_HEADER], 1_000_000)).toEqual({
      ok: false,
      reason: 'bad signature',
    });
  });

  it('carry one signature outside a rotation, and a gateway on a key the agency dropped refuses them', () => {
    const { body: sent, headers } = signChangeEvent(NEW, event, 1_000_000);
    expect(headers[CHANGE_SIGNATURE_HEADER]).toMatch(/^t=1000000,v1=[0-9a-f]{64}$/);
    expect(verifyChangeEvent(NEW, sent, headers[CHANGE_SIGNATURE_HEADER], 1_000_000)).toMatchObject({ ok: true });
    expect(verifyChangeEvent(OLD, sent, headers[CHANGE_SIGNATURE_HEADER], 1_000_000)).toEqual({
      ok: false,
      reason: 'bad signature',
    });
  });

  it('refuse a header with more signatures than a rotation needs, or a malformed one', () => {
    const { body: sent, headers } = signChangeEvent(NEW, event, 1_000_000);
    const v1 = headers[CHANGE_SIGNATURE_HEADER]!.slice('t=1000000'.length);
    const flooded = `t=1000000${v1.repeat(5)}`;
    expect(verifyChangeEvent(NEW, sent, flooded, 1_000_000)).toEqual({
      ok: false,
      reason: 'missing or malformed signature',
    });
    expect(verifyChangeEvent(NEW, sent, `t=1000000${v1.repeat(4)}`, 1_000_000)).toMatchObject({ ok: true });
    expect(verifyChangeEvent(NEW, sent, 't=1000000', 1_000_000)).toMatchObject({ ok: false });
    expect(verifyChangeEvent(NEW, sent, `t=1000000${v1}`, 1_061_000)).toEqual({ ok: false, reason: 'stale signature' });
  });
});
