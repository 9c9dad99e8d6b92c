import { exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consumers } from '../policy/policyFixtures.test-helpers';
import { identify } from './identify';
import { loadSecrets } from './secrets';
import { createTokenVerifier, parseDuration, signDevelopmentToken, TOKEN_AUDIENCE, TOKEN_ISSUER } from './tokens';

const secret = 'a-development-secret-of-at-least-32-chars';
const verify = createTokenVerifier({ kind: 'hs256', secret });
const options = { registry: consumers, verify, requireToken: false };

describe('tokens', () => {
  it('accepts a token signed with the hub secret', async () => {
    const token = await signDevelopmentToken(secret, { consumer: 'district-haidian', purpose: 'planning', ttlSeconds: 60 });
    await expect(verify(token)).resolves.toMatchObject({ consumer: 'district-haidian', purpose: 'planning', roles: [] });
  });

  it('rejects alg none, a wrong secret, an expired token and a foreign audience', async () => {
    const unsigned = new UnsecuredJWT({}).setSubject('district-haidian').setIssuer(TOKEN_ISSUER).setAudience(TOKEN_AUDIENCE).setExpirationTime('1h').encode();
    await expect(verify(unsigned)).rejects.toThrow();
    await expect(verify(await signDevelopmentToken('another-secret-that-is-long-enough-000', { consumer: 'science', ttlSeconds: 60 }))).rejects.toThrow();
    const expired = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('science').setIssuer(TOKEN_ISSUER).setAudience(TOKEN_AUDIENCE).setExpirationTime(Math.floor(Date.now() / 1000) - 10).sign(new TextEncoder().encode(secret));
    await expect(verify(expired)).rejects.toThrow(/exp/);
    const foreign = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('science').setIssuer(TOKEN_ISSUER).setAudience('someone-else').setExpirationTime('1h').sign(new TextEncoder().encode(secret));
    await expect(verify(foreign)).rejects.toThrow(/aud/);
  });

  it('rejects algorithm confusion: an HS256 token keyed with the RS256 public key', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const pem = await exportSPKI(publicKey);
    const rsVerify = createTokenVerifier({ kind: 'rs256-key', publicKeyPem: pem });
    const genuine = await new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setSubject('science').setIssuer(TOKEN_ISSUER).setAudience(TOKEN_AUDIENCE).setExpirationTime('1h').sign(privateKey);
    await expect(rsVerify(genuine)).resolves.toMatchObject({ consumer: 'science' });
    const confused = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('science').setIssuer(TOKEN_ISSUER).setAudience(TOKEN_AUDIENCE).setExpirationTime('1h').sign(new TextEncoder().encode(pem));
    await expect(rsVerify(confused)).rejects.toThrow();
  });

  it('verifies RS256 tokens against a JWKS URL', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const server = createServer((_, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const address = server.address() as { port: number };
      const jwksVerify = createTokenVerifier({ kind: 'rs256-jwks', url: `http://127.0.0.1:${address.port}/jwks.json` });
      const token = await new SignJWT({ purpose: 'planning' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('district-haidian').setIssuer(TOKEN_ISSUER).setAudience(TOKEN_AUDIENCE).setExpirationTime('1h').sign(privateKey);
      await expect(jwksVerify(token)).resolves.toMatchObject({ consumer: 'district-haidian', purpose: 'planning' });
      const hs = await signDevelopmentToken(secret, { consumer: 'science', ttlSeconds: 60 });
      await expect(jwksVerify(hs)).rejects.toThrow();
    } finally {
      server.close();
    }
  });

  it('parses durations', () => {
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('8h')).toBe(28_800);
    expect(() => parseDuration('soon')).toThrow(/not a duration/);
  });
});

describe('identify', () => {
  const token = (consumer: string, purpose?: string) => signDevelopmentToken(secret, { consumer, ...(purpose ? { purpose } : {}), ttlSeconds: 60 });

  it('treats a request without a token as the public, or refuses it when tokens are required', async () => {
    await expect(identify({}, options)).resolves.toMatchObject({ ok: true, identity: { consumer: { id: 'public' }, anonymous: true } });
    await expect(identify({}, { ...options, requireToken: true })).resolves.toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
  });

  it('takes the purpose from the header, else from the token', async () => {
    const bearer = `Bearer ${await token('district-haidian', 'planning')}`;
    await expect(identify({ authorization: bearer }, options)).resolves.toMatchObject({ ok: true, identity: { consumer: { id: 'district-haidian' }, purpose: 'planning' } });
    await expect(identify({ authorization: bearer, purpose: 'enrollment-planning' }, options)).resolves.toMatchObject({ ok: true, identity: { purpose: 'enrollment-planning' } });
  });

  it('refuses with catalogued codes', async () => {
    await expect(identify({ authorization: 'Basic abc' }, options)).resolves.toMatchObject({ ok: false, code: 'INVALID_TOKEN' });
    await expect(identify({ authorization: 'Bearer not.a.token' }, options)).resolves.toMatchObject({ ok: false, code: 'INVALID_TOKEN' });
    await expect(identify({ authorization: `Bearer ${await token('nobody', 'x')}` }, options)).resolves.toMatchObject({ ok: false, code: 'UNKNOWN_CONSUMER' });
    await expect(identify({ authorization: `Bearer ${await token('public', 'x')}` }, options)).resolves.toMatchObject({ ok: false, code: 'UNKNOWN_CONSUMER' });
    await expect(identify({ authorization: `Bearer ${await token('science')}` }, options)).resolves.toMatchObject({ ok: false, code: 'PURPOSE_REQUIRED' });
    await expect(identify({ authorization: `Bearer ${await token('science')}`, purpose: 'statistics' }, options)).resolves.toMatchObject({ ok: false, code: 'PURPOSE_NOT_REGISTERED' });
  });
});

describe('secrets', () => {
  it('generates development secrets once, into a private file, and reuses them', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'secrets-')), 'nested', 'secrets.json');
    const first = loadSecrets({ production: false, env: {}, file });
    expect(first.origin).toBe('development-file');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadSecrets({ production: false, env: {}, file })).toEqual(first);
    expect(JSON.parse(readFileSync(file, 'utf8')).jwtSecret).toBe(first.jwtSecret);
  });

  it('demands them from the environment in production', () => {
    expect(() => loadSecrets({ production: true, env: {} })).toThrow(/HUB_JWT_SECRET/);
    const env = { HUB_JWT_SECRET: 'x'.repeat(32), HUB_SUBGRAPH_SIGNING_KEY: 'y'.repeat(32), HUB_MASK_HASH_KEY: 'z'.repeat(32) };
    expect(loadSecrets({ production: true, env })).toMatchObject({ jwtSecret: 'x'.repeat(32), origin: 'environment' });
    expect(() => loadSecrets({ production: true, env: { ...env, HUB_JWT_SECRET: 'short' } })).toThrow(/at least 32/);
  });
});

describe('verified-token cache', () => {
  it('remembers a verified token but never past its expiry', async () => {
    const cached = createTokenVerifier({ kind: 'hs256', secret });
    // Two to three seconds of life (exp is in whole seconds): enough for a busy machine to verify it twice.
    const expiresAt = Math.floor(Date.now() / 1000) + 3;
    const shortLived = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('science').setIssuer(TOKEN_ISSUER).setAudience(TOKEN_AUDIENCE).setExpirationTime(expiresAt).sign(new TextEncoder().encode(secret));
    await expect(cached(shortLived)).resolves.toMatchObject({ consumer: 'science' });
    await expect(cached(shortLived)).resolves.toMatchObject({ consumer: 'science' });
    await new Promise((resolve) => setTimeout(resolve, expiresAt * 1000 - Date.now() + 100));
    await expect(cached(shortLived)).rejects.toThrow(/exp/);
  });

  it('never caches a token that failed', async () => {
    const cached = createTokenVerifier({ kind: 'hs256', secret });
    const forged = await signDevelopmentToken('another-secret-that-is-long-enough-000', { consumer: 'science', ttlSeconds: 60 });
    await expect(cached(forged)).rejects.toThrow();
    await expect(cached(forged)).rejects.toThrow();
  });
});
