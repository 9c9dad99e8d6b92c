import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Sealed cursors: AES-256-GCM (NIST SP 800-38D) over the sort key and an expiry, so a cursor
 * tells its holder nothing — not the sort key, not its length to the byte — and cannot be forged,
 * altered, or replayed into another list, another row scope or another agency.
 *
 *   cursor = base64url( version ‖ key id ‖ IV ‖ ciphertext ‖ tag )
 *   version: 1 byte (1); key id: 4 bytes; IV: 12 random bytes, fresh per cursor; tag: 16 bytes
 *   plaintext = expiry (ms since the epoch, 6 bytes big-endian) ‖ UTF-8 sort key ‖ 0x80 ‖ 0x00…
 *               (ISO/IEC 7816-4 padding to a multiple of 16 bytes, so lengths fall into buckets)
 *   AAD = version ‖ key id ‖ "\0" agency "\0" list identity "\0" row scope (canonical JSON)
 *
 * The AAD is authenticated but not sent: a cursor opens only where the same agency, list and row
 * scope are asked for. The key is the agency's own, derived with HKDF-SHA256 (RFC 5869) from the
 * hub's subgraph signing key; a previous signing key still opens cursors sealed under it, and the
 * key id in the cursor says which key to try. Pure apart from the random IV, which tests may fix.
 */

export const SEALED_CURSOR_VERSION = 1;
const KEY_ID_LENGTH = 4;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const EXPIRY_LENGTH = 6;
const BLOCK = 16;
const HEADER_LENGTH = 1 + KEY_ID_LENGTH;
/** The shortest sealed cursor: header, IV, one padded block, tag. */
const MIN_SEALED_BYTES = HEADER_LENGTH + IV_LENGTH + BLOCK + TAG_LENGTH;
/** Sort keys are short identifiers; a longer one is a bug, refused before anything is sealed. */
export const MAX_SORT_KEY_BYTES = 512;
/** Anything longer than the longest cursor this module can issue is refused unread. */
export const MAX_CURSOR_LENGTH = Math.ceil(
  ((HEADER_LENGTH + IV_LENGTH + EXPIRY_LENGTH + MAX_SORT_KEY_BYTES + BLOCK + TAG_LENGTH) * 4) / 3,
);

const HKDF_SALT = 'cdo-hub/cursor-sealing/v1';

export interface CursorKey {
  /** What a cursor names its key by: a digest of the key, so it reveals nothing of it. */
  id: Buffer;
  key: Buffer;
}

/** An agency's cursor keys: the one it seals with, and those it still opens (rotation). */
export interface CursorKeyring {
  agency: string;
  current: CursorKey;
  previous: readonly CursorKey[];
}

function deriveKey(secret: string, agency: string): CursorKey {
  const key = Buffer.from(
    hkdfSync(
      'sha256',
      Buffer.from(secret, 'utf8'),
      Buffer.from(HKDF_SALT, 'utf8'),
      Buffer.from(`agency:${agency}`, 'utf8'),
      32,
    ),
  );
  const id = createHash('sha256').update('cdo-hub cursor key id\0').update(key).digest().subarray(0, KEY_ID_LENGTH);
  return { id, key };
}

/**
 * The agency's keyring from the hub's signing secret and, during a rotation, the previous ones.
 * Derived once at start: sealing costs one AES-GCM pass per cursor, not a key derivation.
 */
export function cursorKeyring(agency: string, secret: string, previousSecrets: readonly string[] = []): CursorKeyring {
  if (!secret) throw new Error("cursor sealing needs the hub's subgraph signing key");
  const current = deriveKey(secret, agency);
  const previous = previousSecrets.filter((s) => s && s !== secret).map((s) => deriveKey(s, agency));
  return { agency, current, previous };
}

/** What a cursor is bound to besides its agency: the list (and its filters) and the call's row scope. */
export interface CursorBinding {
  /** `listIdentity(...)`: the list and its filters. */
  listId: string;
  /** The row scope the gateway sent in the signed consumer header (`ScopedFields.scope`), if any. */
  rowScope?: Readonly<Record<string, string>> | undefined;
}

/** The row scope as one string, whatever order its entries were written in; no scope is `-`. */
export function canonicalRowScope(rowScope: Readonly<Record<string, string>> | undefined): string {
  const entries = Object.entries(rowScope ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length ? JSON.stringify(entries) : '-';
}

function additionalData(header: Buffer, agency: string, binding: CursorBinding): Buffer {
  return Buffer.concat([
    header,
    Buffer.from(`\0${agency}\0${binding.listId}\0${canonicalRowScope(binding.rowScope)}`, 'utf8'),
  ]);
}

/** Seals `sortKey` for `binding`, good until `expiresAt` (ms since the epoch). */
export function sealCursor(
  keyring: CursorKeyring,
  binding: CursorBinding,
  sortKey: string,
  expiresAt: number,
  iv: Buffer = randomBytes(IV_LENGTH),
): string {
  const key = Buffer.from(sortKey, 'utf8');
  if (key.length > MAX_SORT_KEY_BYTES)
    throw new RangeError(`a sort key of ${key.length} bytes is longer than a cursor carries (${MAX_SORT_KEY_BYTES})`);
  if (iv.length !== IV_LENGTH) throw new RangeError(`an AES-GCM IV here is ${IV_LENGTH} bytes`);
  const unpadded = EXPIRY_LENGTH + key.length + 1;
  const plaintext = Buffer.alloc(Math.ceil(unpadded / BLOCK) * BLOCK);
  plaintext.writeUIntBE(Math.max(0, Math.floor(expiresAt)), 0, EXPIRY_LENGTH);
  key.copy(plaintext, EXPIRY_LENGTH);
  plaintext[EXPIRY_LENGTH + key.length] = 0x80;
  const header = Buffer.concat([Buffer.of(SEALED_CURSOR_VERSION), keyring.current.id]);
  const cipher = createCipheriv('aes-256-gcm', keyring.current.key, iv, { authTagLength: TAG_LENGTH });
  cipher.setAAD(additionalData(header, keyring.agency, binding));
  const sealed = Buffer.concat([header, iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return sealed.toString('base64url');
}

/**
 * Why a cursor does not open: not a sealed cursor at all (`malformed`), sealed under no key this
 * agency holds (`unknown-key`), failing authentication — altered, truncated, forged, or issued for
 * another list, row scope or agency, which look alike on purpose (`not-authentic`) — or authentic
 * but past its expiry (`expired`).
 */
export type CursorRefusal = 'malformed' | 'unknown-key' | 'not-authentic' | 'expired';

export type CursorOpening = { ok: true; sortKey: string; expiresAt: number } | { ok: false; reason: CursorRefusal };

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Opens a cursor sealed for `binding` by this agency, at `now` (ms since the epoch). */
export function openCursor(keyring: CursorKeyring, binding: CursorBinding, cursor: string, now: number): CursorOpening {
  if (typeof cursor !== 'string' || cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor))
    return { ok: false, reason: 'malformed' };
  const bytes = Buffer.from(cursor, 'base64url');
  // Only the canonical encoding: base64 decoders ignore stray bits, so two texts could be one cursor.
  if (bytes.toString('base64url') !== cursor) return { ok: false, reason: 'malformed' };
  if (
    bytes.length < MIN_SEALED_BYTES ||
    (bytes.length - HEADER_LENGTH - IV_LENGTH - TAG_LENGTH) % BLOCK !== 0 ||
    bytes[0] !== SEALED_CURSOR_VERSION
  )
    return { ok: false, reason: 'malformed' };
  const header = bytes.subarray(0, HEADER_LENGTH);
  const keyId = header.subarray(1);
  const candidates = [keyring.current, ...keyring.previous].filter((candidate) => candidate.id.equals(keyId));
  if (!candidates.length) return { ok: false, reason: 'unknown-key' };
  const iv = bytes.subarray(HEADER_LENGTH, HEADER_LENGTH + IV_LENGTH);
  const ciphertext = bytes.subarray(HEADER_LENGTH + IV_LENGTH, bytes.length - TAG_LENGTH);
  const tag = bytes.subarray(bytes.length - TAG_LENGTH);
  const aad = additionalData(header, keyring.agency, binding);
  for (const candidate of candidates) {
    let plaintext: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', candidate.key, iv, { authTagLength: TAG_LENGTH });
      decipher.setAAD(aad);
      decipher.setAuthTag(tag);
      plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      continue;
    }
    const end = plaintext.lastIndexOf(0x80);
    // Authentic text this module did not write (no padding marker, zeros missing) is refused all the same.
    if (end < EXPIRY_LENGTH || plaintext.subarray(end + 1).some((byte) => byte !== 0))
      return { ok: false, reason: 'malformed' };
    let sortKey: string;
    try {
      sortKey = strictUtf8.decode(plaintext.subarray(EXPIRY_LENGTH, end));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    const expiresAt = plaintext.readUIntBE(0, EXPIRY_LENGTH);
    if (now > expiresAt) return { ok: false, reason: 'expired' };
    return { ok: true, sortKey, expiresAt };
  }
  return { ok: false, reason: 'not-authentic' };
}
