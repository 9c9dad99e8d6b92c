import {
  canonicalRowScope,
  cursorKeyring,
  MAX_CURSOR_LENGTH,
  MAX_SORT_KEY_BYTES,
  openCursor,
  sealCursor,
  type CursorBinding,
} from './cursorSealing';

const SECRET = 'sealing-test-signing-key-0123456789abcdefgh';
const NEXT_SECRET = 'sealing-test-signing-key-after-rotation-0123';
const NOW = Date.parse('2026-12-04T08:00:00Z');
const HOUR = 3_600_000;

const keyring = cursorKeyring('education', SECRET);
const roster: CursorBinding = { listId: 'School.students', rowScope: { districtCode: '110108' } };
const ID_NUMBER_KEY = 'G11010820190921387X';

function reasonOf(cursor: string, binding: CursorBinding = roster, ring = keyring, now = NOW): string {
  const opened = openCursor(ring, binding, cursor, now);
  return opened.ok ? 'ok' : opened.reason;
}

describe('sealed cursors', () => {
  it('open to the sort key they sealed, for any key up to the limit', () => {
    for (const key of ['', '0', '2111000001', 'a:b:c', '猪肉', '8f3a91c2d4e5b6a7', 'x'.repeat(MAX_SORT_KEY_BYTES)]) {
      const opened = openCursor(keyring, roster, sealCursor(keyring, roster, key, NOW + HOUR), NOW);
      expect(opened).toEqual({ ok: true, sortKey: key, expiresAt: NOW + HOUR });
    }
    expect(() => sealCursor(keyring, roster, 'x'.repeat(MAX_SORT_KEY_BYTES + 1), NOW + HOUR)).toThrow(RangeError);
  });

  it('reveal nothing of the sort key: fresh IV per cursor, no key bytes, lengths in 16-byte buckets', () => {
    const first = sealCursor(keyring, roster, ID_NUMBER_KEY, NOW + HOUR);
    const second = sealCursor(keyring, roster, ID_NUMBER_KEY, NOW + HOUR);
    expect(first).not.toBe(second);
    for (const cursor of [first, second]) {
      const bytes = Buffer.from(cursor, 'base64url');
      expect(bytes.includes(Buffer.from(ID_NUMBER_KEY))).toBe(false);
      expect(bytes.includes(Buffer.from('110108'))).toBe(false);
      expect(cursor).not.toContain('110108');
    }
    // Keys of 1 to 9 bytes fill the same block: their cursors are the same length.
    expect(new Set(['1', '12345', '123456789'].map((key) => sealCursor(keyring, roster, key, NOW).length)).size).toBe(
      1,
    );
    expect(sealCursor(keyring, roster, 'x'.repeat(MAX_SORT_KEY_BYTES), NOW).length).toBeLessThanOrEqual(
      MAX_CURSOR_LENGTH,
    );
  });

  it('refuse every altered byte and every truncation, without throwing', () => {
    const cursor = sealCursor(keyring, roster, ID_NUMBER_KEY, NOW + HOUR);
    const bytes = Buffer.from(cursor, 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      for (const flip of [0x01, 0x80]) {
        const altered = Buffer.from(bytes);
        altered[i] = altered[i]! ^ flip;
        expect(reasonOf(altered.toString('base64url'))).not.toBe('ok');
      }
    }
    for (let length = 0; length < cursor.length; length++) expect(reasonOf(cursor.slice(0, length))).not.toBe('ok');
    expect(reasonOf(cursor + 'A')).not.toBe('ok');
    expect(reasonOf(cursor.slice(0, -2) + cursor.slice(-1) + cursor.slice(-2, -1))).not.toBe('ok');
  });

  it('refuse text that is no sealed cursor', () => {
    const plain = Buffer.from(`k2:abcdefghij:${ID_NUMBER_KEY}`).toString('base64url');
    const forged = Buffer.concat([
      Buffer.of(1),
      keyring.current.id,
      Buffer.alloc(12),
      Buffer.alloc(32),
      Buffer.alloc(16),
    ]).toString('base64url');
    for (const cursor of [
      '',
      'garbage',
      'bm90LWEtY3Vyc29y',
      plain,
      '!!!!',
      'a'.repeat(MAX_CURSOR_LENGTH + 1),
      forged,
      forged + '=',
    ]) {
      expect(['malformed', 'unknown-key', 'not-authentic']).toContain(reasonOf(cursor));
    }
    expect(reasonOf(forged)).toBe('not-authentic');
    expect(reasonOf(null as unknown as string)).toBe('malformed');
  });

  it('open only for the list, the row scope and the agency they were sealed for', () => {
    const cursor = sealCursor(keyring, roster, ID_NUMBER_KEY, NOW + HOUR);
    expect(reasonOf(cursor, { listId: 'School.teachers', rowScope: roster.rowScope })).toBe('not-authentic');
    expect(reasonOf(cursor, { listId: 'School.students', rowScope: { districtCode: '110105' } })).toBe('not-authentic');
    expect(reasonOf(cursor, { listId: 'School.students' })).toBe('not-authentic');
    expect(reasonOf(cursor, { listId: 'School.students', rowScope: { districtCode: '110108', type: 'PRIMARY' } })).toBe(
      'not-authentic',
    );
    // The same secret gives every agency its own key.
    expect(reasonOf(cursor, roster, cursorKeyring('science', SECRET))).toBe('unknown-key');
    // A row scope is the same whatever order its entries were written in; none is none, however written.
    const scoped = sealCursor(keyring, { listId: 'X', rowScope: { a: '1', b: '2' } }, 'k', NOW + HOUR);
    expect(reasonOf(scoped, { listId: 'X', rowScope: { b: '2', a: '1' } })).toBe('ok');
    expect(reasonOf(sealCursor(keyring, { listId: 'X' }, 'k', NOW + HOUR), { listId: 'X', rowScope: {} })).toBe('ok');
    expect(canonicalRowScope(undefined)).toBe(canonicalRowScope({}));
    expect(canonicalRowScope({ districtCode: '1' })).not.toBe(canonicalRowScope({ districtcode: '1' }));
  });

  it('open until their expiry, and not a millisecond after', () => {
    const cursor = sealCursor(keyring, roster, ID_NUMBER_KEY, NOW + HOUR);
    expect(reasonOf(cursor, roster, keyring, NOW + HOUR)).toBe('ok');
    expect(reasonOf(cursor, roster, keyring, NOW + HOUR + 1)).toBe('expired');
    // The expiry is sealed too: a cursor cannot be made to live longer.
    expect(reasonOf(sealCursor(keyring, roster, ID_NUMBER_KEY, NOW - 1))).toBe('expired');
  });

  it('still open under the previous key after a rotation; a key no longer held opens nothing', () => {
    const before = sealCursor(keyring, roster, ID_NUMBER_KEY, NOW + HOUR);
    const rotated = cursorKeyring('education', NEXT_SECRET, [SECRET]);
    expect(openCursor(rotated, roster, before, NOW)).toMatchObject({ ok: true, sortKey: ID_NUMBER_KEY });
    const after = sealCursor(rotated, roster, ID_NUMBER_KEY, NOW + HOUR);
    expect(Buffer.from(after, 'base64url').subarray(1, 5)).toEqual(rotated.current.id);
    expect(reasonOf(after, roster, cursorKeyring('education', NEXT_SECRET))).toBe('ok');
    // Once the previous key is dropped (the grace period over), its cursors are refused.
    expect(reasonOf(before, roster, cursorKeyring('education', NEXT_SECRET))).toBe('unknown-key');
    expect(reasonOf(after, roster, keyring)).toBe('unknown-key');
    expect(cursorKeyring('education', SECRET, [SECRET, '']).previous).toEqual([]);
  });
});
