import { exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { createServer } from 'node:http';
import { consumers } from '../policy/policyFixtures.test-helpers';
import { identify } from './identify';
import { tokenLifetimeProblem } from './tokenLifetime';
import { parseDuration } from '../formats';
import { createTokenVerifier, signDevelopmentToken, TOKEN_AUDIENCE, TOKEN_ISSUER } from './tokens';

const secret = 'a-development-secret-of-at-least-32-chars';
const verify = createTokenVerifier({ kind: 'hs256', secret });
const options = { directory: consumers, verify, requireToken: false };

describe('tokens', () => {
  it('accepts a token signed with the hub secret', async () => {
    const token = await signDevelopmentToken(secret, {
      consumer: 'district-haidian',
      purpose: 'planning',
      ttlSeconds: 60,
    });
    await expect(verify(token)).resolves.toMatchObject({
      consumer: 'district-haidian',
      purpose: 'planning',
      roles: [],
    });
  });

  it('rejects alg none, a wrong secret, an expired token and a foreign audience', async () => {
    const unsigned = new UnsecuredJWT({})
      .setSubject('district-haidian')
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setExpirationTime('1h')
      .encode();
    await expect(verify(unsigned)).rejects.toThrow();
    await expect(
      verify(
        await signDevelopmentToken('another-secret-that-is-long-enough-000', { consumer: 'science', ttlSeconds: 60 }),
      ),
    ).rejects.toThrow();
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('science')
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
      .sign(new TextEncoder().encode(secret));
    await expect(verify(expired)).rejects.toThrow(/exp/);
    const foreign = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('science')
      .setIssuer(TOKEN_ISSUER)
      .setAudience('someone-else')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    await expect(verify(foreign)).rejects.toThrow(/aud/);
  });

  it('rejects algorithm confusion: an HS256 token keyed with the RS256 public key', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const pem = await exportSPKI(publicKey);
    const rsVerify = createTokenVerifier({ kind: 'rs256-key', publicKeyPem: pem });
    const genuine = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setSubject('science')
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setExpirationTime('1h')
      .sign(privateKey);
    await expect(rsVerify(genuine)).resolves.toMatchObject({ consumer: 'science' });
    const confused = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('science')
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(pem));
    await expect(rsVerify(confused)).rejects.toThrow();
  });

  it('verifies RS256 tokens against a JWKS URL', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const server = createServer((_, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const address = server.address() as { port: number };
      const jwksVerify = createTokenVerifier({ kind: 'rs256-jwks', url: `http://127.0.0.1:${address.port}/jwks.json` });
      const token = await new SignJWT({ purpose: 'planning' })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setSubject('district-haidian')
        .setIssuer(TOKEN_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .setExpirationTime('1h')
        .sign(privateKey);
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

describe('token lifetime', () => {
  const hs = (claims: { exp?: number; iat?: number }) => {
    const jwt = new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('science')
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE);
    if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
    if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat);
    return jwt.sign(new TextEncoder().encode(secret));
  };
  const now = () => Math.floor(Date.now() / 1000);
  const admin = { ...options, purposeRequired: false };

  it('refuses a token expiring in the year 5138, one without exp, and one whose exp − iat exceeds the maximum', async () => {
    const year5138 = Date.UTC(5138, 0, 1) / 1000;
    await expect(
      identify({ authorization: `Bearer ${await hs({ exp: year5138, iat: now() })}` }, admin),
    ).resolves.toMatchObject({
      ok: false,
      code: 'TOKEN_LIFETIME_TOO_LONG',
      message: expect.stringMatching(/longer than the 24 h this hub accepts \(TOKEN_MAX_TTL\)/),
    });
    await expect(identify({ authorization: `Bearer ${await hs({ exp: year5138 })}` }, admin)).resolves.toMatchObject({
      ok: false,
      code: 'TOKEN_LIFETIME_TOO_LONG',
      message: expect.stringMatching(/expires in [\d,]+ d/),
    });
    await expect(identify({ authorization: `Bearer ${await hs({ iat: now() })}` }, admin)).resolves.toMatchObject({
      ok: false,
      code: 'TOKEN_LIFETIME_TOO_LONG',
      message: expect.stringMatching(/no expiry/),
    });
    // Issued two days ago for three days: one day left, yet it lives three.
    await expect(
      identify({ authorization: `Bearer ${await hs({ iat: now() - 2 * 86_400, exp: now() + 86_400 })}` }, admin),
    ).resolves.toMatchObject({
      ok: false,
      code: 'TOKEN_LIFETIME_TOO_LONG',
      message: expect.stringMatching(/lives 3 d \(exp − iat\)/),
    });
    // An iat set in the future does not make a far exp short-lived.
    await expect(
      identify(
        { authorization: `Bearer ${await hs({ iat: now() + 10 * 86_400, exp: now() + 10 * 86_400 + 60 })}` },
        admin,
      ),
    ).resolves.toMatchObject({ ok: false, code: 'TOKEN_LIFETIME_TOO_LONG' });
  });

  it('accepts a token of exactly the maximum, and honours a configured maximum', async () => {
    await expect(
      identify({ authorization: `Bearer ${await hs({ iat: now(), exp: now() + 86_400 })}` }, admin),
    ).resolves.toMatchObject({ ok: true });
    const strict = { ...admin, verify: createTokenVerifier({ kind: 'hs256', secret }, { maxLifetimeSeconds: 1800 }) };
    await expect(
      identify({ authorization: `Bearer ${await hs({ iat: now(), exp: now() + 1800 })}` }, strict),
    ).resolves.toMatchObject({ ok: true });
    await expect(
      identify({ authorization: `Bearer ${await hs({ iat: now(), exp: now() + 3600 })}` }, strict),
    ).resolves.toMatchObject({
      ok: false,
      code: 'TOKEN_LIFETIME_TOO_LONG',
      message: expect.stringMatching(/lives 1 h \(exp − iat\), longer than the 30 min/),
    });
  });

  it('decides from exp, iat and now alone (pure)', () => {
    const at = Date.UTC(2026, 11, 4);
    const h = 3600_000;
    expect(tokenLifetimeProblem({ issuedAt: at, expiresAt: at + 24 * h }, at, 86_400)).toBeUndefined();
    expect(tokenLifetimeProblem({ expiresAt: at + 24 * h }, at, 86_400)).toBeUndefined();
    expect(tokenLifetimeProblem({ issuedAt: at, expiresAt: at + 25 * h }, at, 86_400)).toMatch(/lives 25 h/);
    expect(tokenLifetimeProblem({ expiresAt: at + 25 * h }, at + 0, 86_400)).toMatch(/expires in 25 h/);
    expect(tokenLifetimeProblem({ issuedAt: at }, at, 86_400)).toMatch(/no expiry/);
    // A minute of clock skew is tolerated, not more.
    expect(tokenLifetimeProblem({ issuedAt: at, expiresAt: at + 24 * h + 60_000 }, at, 86_400)).toBeUndefined();
    expect(tokenLifetimeProblem({ issuedAt: at, expiresAt: at + 24 * h + 61_000 }, at, 86_400)).toMatch(/lives/);
  });
});

describe('verified-token cache', () => {
  it('remembers a verified token but never past its expiry', async () => {
    const cached = createTokenVerifier({ kind: 'hs256', secret });
    // Two to three seconds of life (exp is in whole seconds): enough for a busy machine to verify it twice.
    const expiresAt = Math.floor(Date.now() / 1000) + 3;
    const shortLived = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('science')
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setExpirationTime(expiresAt)
      .sign(new TextEncoder().encode(secret));
    await expect(cached(shortLived)).resolves.toMatchObject({ consumer: 'science' });
    await expect(cached(shortLived)).resolves.toMatchObject({ consumer: 'science' });
    await new Promise((resolve) => setTimeout(resolve, expiresAt * 1000 - Date.now() + 100));
    await expect(cached(shortLived)).rejects.toThrow(/exp/);
  });

  it('never caches a token that failed', async () => {
    const cached = createTokenVerifier({ kind: 'hs256', secret });
    const forged = await signDevelopmentToken('another-secret-that-is-long-enough-000', {
      consumer: 'science',
      ttlSeconds: 60,
    });
    await expect(cached(forged)).rejects.toThrow();
    await expect(cached(forged)).rejects.toThrow();
  });
});
