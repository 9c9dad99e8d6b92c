import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { dirname } from 'node:path';
import { z } from 'zod';

/**
 * The Ed25519 keys receipts are signed with, kept in one JSON file (`RECEIPT_KEYS_FILE`): every key
 * the hub ever signed with, newest last. The newest signs; all are published (a receipt is
 * evidence for years, so a rotation retires a key from signing, never from verification).
 */
export interface ReceiptKeyFile {
  keys: StoredReceiptKey[];
}

/** A key as stored: an OKP JWK with its private part (`d`), its id and when it was made. */
export interface StoredReceiptKey {
  kid: string;
  created: string;
  /**
   * When it starts signing (absent: at once). A rotation publishes the new key first and signs with
   * it only once verifiers' cached copies of the key set (60 s) have expired.
   */
  activeFrom?: string;
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  d: string;
}

/** What the JWKS publishes of a key. */
export interface PublicReceiptKey {
  kid: string;
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  alg: 'EdDSA';
  use: 'sig';
}

const storedKey = z.object({
  kid: z.string().regex(/^[\w.-]{1,64}$/),
  created: z.string(),
  activeFrom: z.string().optional(),
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().min(1),
  d: z.string().min(1),
});
const keyFile = z.object({ keys: z.array(storedKey).min(1) });

/** A new key, named after the day it was made and a random suffix (ids never repeat). */
export function newReceiptKey(now: Date): StoredReceiptKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  return {
    kid: `receipt-${now.toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`,
    created: now.toISOString(),
    kty: 'OKP',
    crv: 'Ed25519',
    x: String(jwk.x),
    d: String(jwk.d),
  };
}

/** The key file at `path`, checked; throws with the file named when it is not one. */
export function readReceiptKeys(path: string): ReceiptKeyFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`receipt key file ${path} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  const checked = keyFile.safeParse(parsed);
  if (!checked.success)
    throw new Error(`receipt key file ${path} is not a key file: ${checked.error.issues[0]?.message}`);
  return checked.data as ReceiptKeyFile;
}

/**
 * The key file at `path`, made with one key when there is none. Made under a temporary name and
 * linked into place, so gateway processes starting at once all end up reading the one file that won.
 */
export function ensureReceiptKeys(path: string, now = new Date()): ReceiptKeyFile {
  if (!existsSync(path)) {
    const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    mkdirSync(dirname(path), { recursive: true });
    writeDurably(temporary, { keys: [newReceiptKey(now)] });
    try {
      linkSync(temporary, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(temporary, { force: true });
    }
  }
  return readReceiptKeys(path);
}

/**
 * Adds a new signing key to the file (made when absent), signing from `activateAfterSeconds` on;
 * the keys before it stay, for verification.
 */
export function rotateReceiptKey(path: string, now = new Date(), activateAfterSeconds = 0): StoredReceiptKey {
  const current = existsSync(path) ? readReceiptKeys(path) : { keys: [] };
  const added: StoredReceiptKey = {
    ...newReceiptKey(now),
    ...(activateAfterSeconds > 0
      ? { activeFrom: new Date(now.getTime() + activateAfterSeconds * 1000).toISOString() }
      : {}),
  };
  const temporary = `${path}.${process.pid}.tmp`;
  mkdirSync(dirname(path), { recursive: true });
  writeDurably(temporary, { keys: [...current.keys, added] });
  renameSync(temporary, path);
  return added;
}

/** The key that signs at `now`: the newest already active (the first, if none is yet). */
export function signingKeyOf(file: ReceiptKeyFile, now = new Date()): { kid: string; key: KeyObject } {
  const active = file.keys.filter((key) => !key.activeFrom || Date.parse(key.activeFrom) <= now.getTime());
  const signing = active[active.length - 1] ?? file.keys[0]!;
  const { kid, kty, crv, x, d } = signing;
  return { kid, key: createPrivateKey({ key: { kty, crv, x, d }, format: 'jwk' }) };
}

/** When the next key still waiting starts signing (ms since the epoch), if one is. */
export function nextActivationOf(file: ReceiptKeyFile, now = new Date()): number | undefined {
  const waiting = file.keys
    .map((key) => (key.activeFrom ? Date.parse(key.activeFrom) : NaN))
    .filter((at) => at > now.getTime());
  return waiting.length ? Math.min(...waiting) : undefined;
}

/** The public half of every key: the JWKS the hub serves. */
export function publicReceiptKeys(file: ReceiptKeyFile): { keys: PublicReceiptKey[] } {
  return { keys: file.keys.map(({ kid, kty, crv, x }) => ({ kid, kty, crv, x, alg: 'EdDSA', use: 'sig' })) };
}

function writeDurably(path: string, content: ReceiptKeyFile): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(content, null, 2) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(path, 0o600);
}
