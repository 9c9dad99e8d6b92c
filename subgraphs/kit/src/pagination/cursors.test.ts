import { GraphQLError } from 'graphql';
import { PLAIN_CURSORS, SubgraphCursors, type CursorSettings } from './cursors';
import { listIdentity } from './connection';

const SECRET = 'cursors-test-signing-key-0123456789abcdefgh';
const NEXT_SECRET = 'cursors-test-signing-key-after-rotation-012';
const HOUR = 3_600_000;
const SEALED: CursorSettings = { sealing: true, ttlMs: 24 * HOUR };
const ROSTER = listIdentity('School.students');
const HAIDIAN = { districtCode: '110108' };

/** The catalogued code (and reason) a read fails with; anything else thrown is a bug and fails the test. */
function refusal(read: () => unknown): { code: unknown; reason: unknown } | 'read' {
  try {
    read();
    return 'read';
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return { code: error.extensions.code, reason: error.extensions.reason };
  }
}

const notIssuedHere = { code: 'INVALID_CURSOR', reason: 'not-issued-here' };

describe('the cursors of a subgraph call', () => {
  let clock = Date.parse('2026-12-04T08:00:00Z');
  const education = new SubgraphCursors('education', { signingKey: SECRET }, SEALED, () => clock);

  it('round-trip a sort key through the list and row scope that issued them', () => {
    const codec = education.forCall(HAIDIAN);
    for (const key of ['8f3a91c2d4e5b6a7', '2111000001', '猪肉'])
      expect(codec.read(codec.issue(ROSTER, key), ROSTER)).toBe(key);
    // Another call under the same row scope (another consumer, a cached page) opens it too.
    expect(education.forCall({ districtCode: '110108' }).read(codec.issue(ROSTER, 'k'), ROSTER)).toBe('k');
  });

  it('refuse every kind of bad cursor with INVALID_CURSOR, never anything else', () => {
    const codec = education.forCall(HAIDIAN);
    const cursor = codec.issue(ROSTER, '8f3a91c2d4e5b6a7');
    const altered = Buffer.from(cursor, 'base64url');
    altered[altered.length - 20] = altered[altered.length - 20]! ^ 0x04;
    const bad = {
      garbage: 'garbage',
      empty: '',
      truncated: cursor.slice(0, -4),
      extended: cursor + 'AAAA',
      altered: altered.toString('base64url'),
      plain: PLAIN_CURSORS.issue(ROSTER, '8f3a91c2d4e5b6a7'),
      'very long': 'A'.repeat(100_000),
      'not base64url': cursor.replace(/.$/, '+'),
    };
    for (const [kind, text] of Object.entries(bad))
      expect([kind, refusal(() => codec.read(text, ROSTER))]).toEqual([kind, notIssuedHere]);
  });

  it('refuse a cursor of another list, another filter, another row scope or another agency', () => {
    const cursor = education.forCall(HAIDIAN).issue(ROSTER, '8f3a91c2d4e5b6a7');
    expect(refusal(() => education.forCall(HAIDIAN).read(cursor, listIdentity('School.teachers')))).toEqual(
      notIssuedHere,
    );
    const schools = education.forCall().issue(listIdentity('Query.schools', { districtCode: '110108' }), '2111000001');
    expect(
      refusal(() => education.forCall().read(schools, listIdentity('Query.schools', { districtCode: '110105' }))),
    ).toEqual(notIssuedHere);
    expect(refusal(() => education.forCall().read(schools, listIdentity('Query.schools')))).toEqual(notIssuedHere);
    // Row scope: another district, or none at all (a consumer whose grant is not scoped).
    expect(refusal(() => education.forCall({ districtCode: '110105' }).read(cursor, ROSTER))).toEqual(notIssuedHere);
    expect(refusal(() => education.forCall().read(cursor, ROSTER))).toEqual(notIssuedHere);
    expect(
      refusal(() =>
        education.forCall(HAIDIAN).read(schools, listIdentity('Query.schools', { districtCode: '110108' })),
      ),
    ).toEqual(notIssuedHere);
    const science = new SubgraphCursors('science', { signingKey: SECRET }, SEALED, () => clock);
    expect(refusal(() => science.forCall(HAIDIAN).read(cursor, ROSTER))).toEqual(notIssuedHere);
  });

  it('expire CURSOR_TTL after they were issued (an injected clock: no waiting)', () => {
    const issuedAt = clock;
    const cursor = education.forCall().issue(ROSTER, 'k');
    clock = issuedAt + SEALED.ttlMs;
    expect(education.forCall().read(cursor, ROSTER)).toBe('k');
    clock = issuedAt + SEALED.ttlMs + 1;
    expect(refusal(() => education.forCall().read(cursor, ROSTER))).toEqual({
      code: 'INVALID_CURSOR',
      reason: 'expired',
    });
    // A forged cursor is not told apart as expired: only an authentic one is.
    expect(refusal(() => education.forCall().read(cursor, listIdentity('School.teachers')))).toEqual(notIssuedHere);
    clock = issuedAt;
  });

  it('open after a key rotation while the previous key is configured, and not once it is removed', () => {
    const before = education.forCall(HAIDIAN).issue(ROSTER, 'k');
    const rotated = new SubgraphCursors(
      'education',
      { signingKey: NEXT_SECRET, previousSigningKeys: [SECRET] },
      SEALED,
      () => clock,
    );
    expect(rotated.forCall(HAIDIAN).read(before, ROSTER)).toBe('k');
    const after = rotated.forCall(HAIDIAN).issue(ROSTER, 'k');
    const graceOver = new SubgraphCursors('education', { signingKey: NEXT_SECRET }, SEALED, () => clock);
    expect(graceOver.forCall(HAIDIAN).read(after, ROSTER)).toBe('k');
    expect(refusal(() => graceOver.forCall(HAIDIAN).read(before, ROSTER))).toEqual(notIssuedHere);
    // An unknown key is refused as well: a subgraph that was never given it opens nothing of it.
    expect(refusal(() => education.forCall(HAIDIAN).read(after, ROSTER))).toEqual(notIssuedHere);
  });

  it('with HUB_CURSOR_SEALING=off, issue and accept the old plain cursors (readable, bound to the list only)', () => {
    const plain = new SubgraphCursors(
      'education',
      { signingKey: SECRET },
      { sealing: false, ttlMs: SEALED.ttlMs },
      () => clock,
    );
    const cursor = plain.forCall(HAIDIAN).issue(ROSTER, '8f3a91c2d4e5b6a7');
    expect(Buffer.from(cursor, 'base64url').toString('utf8')).toMatch(/^k2:[\w-]{10}:8f3a91c2d4e5b6a7$/);
    expect(plain.forCall().read(cursor, ROSTER)).toBe('8f3a91c2d4e5b6a7');
    expect(refusal(() => plain.forCall().read(cursor, listIdentity('School.teachers')))).toEqual(notIssuedHere);
    // The two kinds never mix: a sealed subgraph refuses a plain cursor and the other way round.
    expect(refusal(() => education.forCall(HAIDIAN).read(cursor, ROSTER))).toEqual(notIssuedHere);
    expect(refusal(() => plain.forCall(HAIDIAN).read(education.forCall(HAIDIAN).issue(ROSTER, 'k'), ROSTER))).toEqual(
      notIssuedHere,
    );
  });
});
