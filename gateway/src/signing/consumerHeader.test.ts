import { signConsumerHeader, verifyConsumerHeader, CONSUMER_HEADER, SIGNATURE_HEADER } from './consumerHeader';

const key = 'subgraph-signing-key-for-tests-0123456789';
const body = { query: '{ _entities(representations: $r) { __typename } }', variables: { r: [{ __typename: 'School', code: '2111000017' }] } };
const claims = { consumer: 'district-haidian', purpose: 'enrollment-planning', requestId: 'r1', scope: { scope: { districtCode: '110108' }, fields: ['School.students'] } };

function split(headers: Record<string, string>) {
  return { consumer: headers[CONSUMER_HEADER], signature: headers[SIGNATURE_HEADER] };
}

describe('signed consumer header', () => {
  it('verifies what the gateway signed', () => {
    const headers = signConsumerHeader(key, claims, body, 1_000_000);
    expect(verifyConsumerHeader(key, split(headers), body, { now: 1_000_500 })).toEqual({ ok: true, claims, timestamp: 1_000_000 });
  });

  it('refuses another body, another key, an edited header, a stale or missing signature', () => {
    const headers = signConsumerHeader(key, claims, body, 1_000_000);
    expect(verifyConsumerHeader(key, split(headers), { ...body, variables: { r: [] } }, { now: 1_000_000 })).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(verifyConsumerHeader('another-key-another-key-another-key!!', split(headers), body, { now: 1_000_000 })).toMatchObject({ ok: false, reason: 'bad-signature' });
    const forged = Buffer.from(JSON.stringify({ ...claims, scope: undefined })).toString('base64url');
    expect(verifyConsumerHeader(key, { ...split(headers), consumer: forged }, body, { now: 1_000_000 })).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(verifyConsumerHeader(key, split(headers), body, { now: 1_000_000 + 61_000 })).toMatchObject({ ok: false, reason: 'stale' });
    expect(verifyConsumerHeader(key, {}, body)).toMatchObject({ ok: false, reason: 'missing' });
    expect(verifyConsumerHeader(key, { consumer: 'x', signature: 'nonsense' }, body)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});
