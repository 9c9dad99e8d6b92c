import { compactVerify, createLocalJWKSet } from 'jose';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditedRecord } from '../requestState';
import {
  ensureReceiptKeys,
  nextActivationOf,
  publicReceiptKeys,
  readReceiptKeys,
  ReceiptSigner,
  receiptClaims,
  receiptDigest,
  rotateReceiptKey,
  signingKeyOf,
  signReceipt,
  signReceiptNow,
  unverifiedReceiptClaims,
  verifyReceipt,
} from '.';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'receipts-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const record = (overrides: Partial<AuditedRecord> = {}): AuditedRecord => ({
  instance: 'gateway',
  seq: 7,
  hash: 'ab'.repeat(32),
  consumer: 'district-haidian',
  purpose: 'enrollment-planning',
  case: null,
  grants: ['EDU-2026-001'],
  policyVersion: 'p1',
  supergraphVersion: 's1',
  ...overrides,
});
const kidOf = (receipt: string) =>
  (JSON.parse(Buffer.from(receipt.split('.')[0]!, 'base64url').toString('utf8')) as { kid: string }).kid;
const BODY = '{"data":{"schools":{"nodes":[{"name":"北京市海淀区第一小学"}]}}}';
const claimsFor = (body = BODY, records = [record()]) =>
  receiptClaims({
    requestId: 'r-1',
    records,
    requestDigest: receiptDigest('{"query":"{ schools { nodes { name } } }"}'),
    responseDigest: receiptDigest(body),
    now: new Date('2026-12-04T10:00:00.123Z'),
  });

describe('receipt claims', () => {
  it('state the asker, the digests, every grant used and every record', () => {
    const claims = claimsFor(BODY, [
      record(),
      record({ seq: 8, hash: 'cd'.repeat(32), grants: ['SCI-2026-002', 'EDU-2026-001'] }),
    ]);
    expect(claims).toEqual({
      v: 1,
      iss: 'cdo-hub',
      iat: Math.floor(Date.parse('2026-12-04T10:00:00.123Z') / 1000),
      time: '2026-12-04T10:00:00.123Z',
      requestId: 'r-1',
      consumer: 'district-haidian',
      purpose: 'enrollment-planning',
      case: null,
      grants: ['EDU-2026-001', 'SCI-2026-002'],
      policyVersion: 'p1',
      supergraphVersion: 's1',
      request: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      response: receiptDigest(BODY),
      audit: [
        { instance: 'gateway', seq: 7, hash: 'ab'.repeat(32) },
        { instance: 'gateway', seq: 8, hash: 'cd'.repeat(32) },
      ],
    });
  });

  it('digest text as its UTF-8 bytes, as sent', () => {
    expect(receiptDigest('é')).toBe(receiptDigest(Buffer.from([0xc3, 0xa9])));
    expect(receiptDigest('')).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('are never made without a record to name', () => {
    expect(() => claimsFor(BODY, [])).toThrow(/at least one audit record/);
  });
});

describe('receipt keys', () => {
  it('are made once, private to their owner, and kept across rotations', () => {
    const path = join(dir, 'keys', 'receipt-keys.json');
    const first = ensureReceiptKeys(path);
    expect(ensureReceiptKeys(path)).toEqual(first);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const added = rotateReceiptKey(path);
    const after = readReceiptKeys(path);
    expect(after.keys.map((key) => key.kid)).toEqual([first.keys[0]!.kid, added.kid]);
    expect(signingKeyOf(after).kid).toBe(added.kid);
    // The JWKS holds no private half.
    const published = publicReceiptKeys(after);
    expect(published.keys).toHaveLength(2);
    expect(JSON.stringify(published)).not.toContain('"d"');
  });

  it('refuse a file that is not a key file, naming it', () => {
    const path = join(dir, 'receipt-keys.json');
    writeFileSync(path, '{"keys":[]}');
    expect(() => readReceiptKeys(path)).toThrow(/receipt-keys\.json is not a key file/);
    writeFileSync(path, 'not json');
    expect(() => readReceiptKeys(path)).toThrow(/cannot be read/);
  });
});

describe('signed receipts', () => {
  it('are compact JWS that jose verifies with the published key', async () => {
    const file = ensureReceiptKeys(join(dir, 'k.json'));
    const receipt = await signReceipt(claimsFor(), signingKeyOf(file));
    const { payload, protectedHeader } = await compactVerify(receipt, createLocalJWKSet(publicReceiptKeys(file)));
    expect(protectedHeader).toEqual({ alg: 'EdDSA', kid: file.keys[0]!.kid, typ: 'hub-receipt+jws' });
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual(claimsFor());
    expect(unverifiedReceiptClaims(receipt)).toEqual(claimsFor());
    // Ed25519 is deterministic: the thread pool's signature is the calling thread's, byte for byte.
    expect(signReceiptNow(claimsFor(), signingKeyOf(file))).toBe(receipt);
  });

  it('verify against the body they were made for, and nothing else', async () => {
    const file = ensureReceiptKeys(join(dir, 'k.json'));
    const keys = publicReceiptKeys(file);
    const receipt = await signReceipt(claimsFor(), signingKeyOf(file));
    const request = Buffer.from('{"query":"{ schools { nodes { name } } }"}');
    expect(await verifyReceipt({ receipt, keys, body: Buffer.from(BODY), request })).toMatchObject({
      valid: true,
      kid: file.keys[0]!.kid,
      problems: [],
    });
    const tampered = await verifyReceipt({ receipt, keys, body: Buffer.from(BODY.replace('第一', '第二')) });
    expect(tampered.valid).toBe(false);
    expect(tampered.problems[0]).toMatch(/the body's digest .* is not the receipt's/);
    const otherRequest = await verifyReceipt({ receipt, keys, body: Buffer.from(BODY), request: Buffer.from('{}') });
    expect(otherRequest.problems[0]).toMatch(/the request's digest/);
  });

  it('do not verify under another key, or with a payload changed', async () => {
    const file = ensureReceiptKeys(join(dir, 'k.json'));
    const other = ensureReceiptKeys(join(dir, 'other.json'));
    const receipt = await signReceipt(claimsFor(), signingKeyOf(file));
    const wrongKeys = { keys: publicReceiptKeys(other).keys.map((key) => ({ ...key, kid: file.keys[0]!.kid })) };
    expect(await verifyReceipt({ receipt, keys: wrongKeys, body: Buffer.from(BODY) })).toMatchObject({ valid: false });
    const [header, , signature] = receipt.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claimsFor(), consumer: 'city-analytics' })).toString('base64url');
    const verdict = await verifyReceipt({
      receipt: `${header}.${forged}.${signature}`,
      keys: publicReceiptKeys(file),
      body: Buffer.from(BODY),
    });
    expect(verdict.valid).toBe(false);
    expect(verdict.problems[0]).toMatch(/signature does not verify/);
    expect(
      await verifyReceipt({ receipt: 'not.a.receipt', keys: publicReceiptKeys(file), body: Buffer.from(BODY) }),
    ).toMatchObject({ valid: false });
  });
});

describe('the receipt signer', () => {
  it('signs with a key rotated in after it opened, and still publishes the old one', async () => {
    const path = join(dir, 'k.json');
    const signer = ReceiptSigner.open(path);
    const before = signer.kid;
    const oldReceipt = await signer.sign(claimsFor());
    const added = rotateReceiptKey(path);
    signer.reload();
    expect(signer.kid).toBe(added.kid);
    const newReceipt = await signer.sign(claimsFor());
    for (const receipt of [oldReceipt, newReceipt])
      expect(await verifyReceipt({ receipt, keys: signer.keys(), body: Buffer.from(BODY) })).toMatchObject({
        valid: true,
      });
    expect(signer.keys().keys.map((key) => key.kid)).toEqual([before, added.kid]);
  });

  it('publishes a rotated key at once and signs with it only from its activation', async () => {
    const path = join(dir, 'k.json');
    const signer = ReceiptSigner.open(path);
    const first = signer.kid;
    const later = rotateReceiptKey(path, new Date(), 3600);
    signer.reload();
    expect(signer.keys().keys.map((key) => key.kid)).toEqual([first, later.kid]);
    expect(kidOf(await signer.sign(claimsFor()))).toBe(first);
    const file = readReceiptKeys(path);
    expect(signingKeyOf(file, new Date(Date.now() + 3601_000)).kid).toBe(later.kid);
    expect(nextActivationOf(file)).toBe(Date.parse(later.activeFrom!));
  });

  it('keeps its keys when the file loses one or stops parsing', () => {
    const path = join(dir, 'k.json');
    const signer = ReceiptSigner.open(path);
    const kid = signer.kid;
    const errors: unknown[] = [];
    const logger = { info: () => undefined, error: (...args: unknown[]) => errors.push(args) };
    const other = ensureReceiptKeys(join(dir, 'other.json'));
    writeFileSync(path, readFileSync(join(dir, 'other.json')));
    signer.reload(logger);
    expect(signer.kid).toBe(kid);
    expect(signer.keys().keys.map((key) => key.kid)).not.toContain(other.keys[0]!.kid);
    writeFileSync(path, '{');
    signer.reload(logger);
    expect(signer.kid).toBe(kid);
    expect(errors).toHaveLength(2);
  });
});
