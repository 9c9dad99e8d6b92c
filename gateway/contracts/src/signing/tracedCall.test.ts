import { TRACEPARENT_HEADER } from '../tracing';
import { SIGNATURE_HEADER, signedSubgraphHeaders, verifySubgraphSignature, CONSUMER_HEADER } from './consumerHeader';

// A call made while tracing carries a traceparent the signature covers: the agency continues the
// trace the header names only because the hub signed it.

const key = 'subgraph-signing-key-for-tests-0123456789';
const body = { query: '{ districts { code } }', variables: { first: 3 } };
const claims = { consumer: 'city-analytics', purpose: 'statistics', requestId: 'r1' };
const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const now = 1_000_000;

const received = (headers: Record<string, string>) => ({
  consumer: headers[CONSUMER_HEADER],
  signature: headers[SIGNATURE_HEADER],
  traceparent: headers[TRACEPARENT_HEADER],
});

it('sends the traceparent it signs, and the agency verifies it with the call', () => {
  const headers = signedSubgraphHeaders(key, 'education', body, claims, { now, traceparent });
  expect(headers[TRACEPARENT_HEADER]).toBe(traceparent);
  expect(verifySubgraphSignature(key, 'education', received(headers), body, { now })).toMatchObject({
    ok: true,
    claims,
  });
});

it('refuses a traceparent changed in any part: trace id, parent span, flags', () => {
  const headers = signedSubgraphHeaders(key, 'education', body, claims, { now, traceparent });
  const tampered = [
    '00-4bf92f3577b34da6a3ce929d0e0e4737-00f067aa0ba902b7-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b8-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00',
  ];
  for (const value of tampered)
    expect(
      verifySubgraphSignature(key, 'education', { ...received(headers), traceparent: value }, body, { now }),
    ).toEqual({ ok: false, reason: 'bad-signature' });
});

it('refuses a signed traceparent stripped, and one added to a call signed without', () => {
  const traced = signedSubgraphHeaders(key, 'education', body, claims, { now, traceparent });
  expect(
    verifySubgraphSignature(key, 'education', { ...received(traced), traceparent: undefined }, body, { now }),
  ).toEqual({ ok: false, reason: 'bad-signature' });
  const untraced = signedSubgraphHeaders(key, 'education', body, claims, { now });
  expect(untraced[TRACEPARENT_HEADER]).toBeUndefined();
  expect(verifySubgraphSignature(key, 'education', received(untraced), body, { now })).toMatchObject({ ok: true });
  expect(verifySubgraphSignature(key, 'education', { ...received(untraced), traceparent }, body, { now })).toEqual({
    ok: false,
    reason: 'bad-signature',
  });
});

it('signs nothing but a W3C traceparent, and refuses a call carrying anything else as one', () => {
  expect(() => signedSubgraphHeaders(key, 'education', body, claims, { traceparent: 'not-a-trace' })).toThrow(
    'not a W3C traceparent',
  );
  const headers = signedSubgraphHeaders(key, 'education', body, claims, { now });
  for (const value of ['', 'x', `${traceparent}-extra`, traceparent.toUpperCase(), traceparent.replace(/^00/, '01')])
    expect(
      verifySubgraphSignature(key, 'education', { ...received(headers), traceparent: value }, body, { now }),
    ).toEqual({ ok: false, reason: 'malformed' });
});
