import { exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consumers } from '../policy/policyFixtures.test-helpers';
import { identify } from './identify';
import { operatorAccess } from './operatorAccess';
import { refuseRolesNotHeld } from './presentedRoles';
import { statedPurpose } from './purposeRule';
import { tokenLifetimeProblem } from './tokenLifetime';
import { loadSecrets } from './secrets';
import { parseDuration } from '../formats';
import { createTokenVerifier, signDevelopmentToken, signSubjectToken, TOKEN_AUDIENCE, TOKEN_ISSUER } from './tokens';

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

describe('identify', () => {
  const token = (consumer: string, purpose?: string) =>
    signDevelopmentToken(secret, { consumer, ...(purpose ? { purpose } : {}), ttlSeconds: 60 });

  it('treats a request without a token as the public, or refuses it when tokens are required', async () => {
    await expect(identify({}, options)).resolves.toMatchObject({
      ok: true,
      identity: { consumer: { id: 'public' }, anonymous: true },
    });
    await expect(identify({}, { ...options, requireToken: true })).resolves.toMatchObject({
      ok: false,
      code: 'UNAUTHENTICATED',
    });
  });

  it("refuses a data subject's token as a consumer, whatever the request says (SUBJECT_NOT_A_CONSUMER)", async () => {
    const subject = await signSubjectToken(secret, { subject: '11010519491231002X', ttlSeconds: 60 });
    await expect(verify(subject)).resolves.toMatchObject({ subject: '11010519491231002X', roles: [] });
    for (const purpose of [undefined, 'planning'])
      await expect(identify({ authorization: `Bearer ${subject}`, purpose }, options)).resolves.toMatchObject({
        ok: false,
        code: 'SUBJECT_NOT_A_CONSUMER',
      });
  });

  it("binds the token's purpose claim: the header may repeat it, never replace it", async () => {
    const bearer = `Bearer ${await token('district-haidian', 'planning')}`;
    await expect(identify({ authorization: bearer }, options)).resolves.toMatchObject({
      ok: true,
      identity: { consumer: { id: 'district-haidian' }, purpose: 'planning', purposeBound: true },
    });
    await expect(identify({ authorization: bearer, purpose: ' planning ' }, options)).resolves.toMatchObject({
      ok: true,
      identity: { purpose: 'planning' },
    });
    await expect(identify({ authorization: bearer, purpose: 'enrollment-planning' }, options)).resolves.toMatchObject({
      ok: false,
      code: 'PURPOSE_MISMATCH',
      message: expect.stringMatching(/issued for purpose "planning"/),
    });
    // Admin routes need no purpose, but a bound one still may not be restated.
    await expect(
      identify({ authorization: bearer, purpose: 'enrollment-planning' }, { ...options, purposeRequired: false }),
    ).resolves.toMatchObject({ ok: false, code: 'PURPOSE_MISMATCH' });
  });

  it('takes the purpose from the header when the token states none', async () => {
    const bearer = `Bearer ${await token('district-haidian')}`;
    const result = await identify({ authorization: bearer, purpose: 'enrollment-planning' }, options);
    expect(result).toMatchObject({ ok: true, identity: { purpose: 'enrollment-planning' } });
    expect(result.ok && result.identity.purposeBound).toBeFalsy();
  });

  it('refuses a token claiming a role its consumer does not hold, however the request is made', async () => {
    const withRoles = async (consumer: string, roles: string[]) =>
      `Bearer ${await signDevelopmentToken(secret, { consumer, roles, ttlSeconds: 60 })}`;
    // The attack: city-analytics with an education CDO token approved its own request.
    for (const purposeRequired of [true, false]) {
      await expect(
        identify(
          { authorization: await withRoles('city-analytics', ['cdo:education']), purpose: 'statistics' },
          { ...options, purposeRequired },
        ),
      ).resolves.toMatchObject({
        ok: false,
        code: 'ROLE_NOT_HELD',
        message: expect.stringMatching(
          /city-analytics does not hold the role cdo:education \(roles it may hold, per the consumer directory: none\)/,
        ),
      });
    }
    await expect(
      identify(
        { authorization: await withRoles('education', ['cdo:science']) },
        { ...options, purposeRequired: false },
      ),
    ).resolves.toMatchObject({ ok: false, code: 'ROLE_NOT_HELD' });
    await expect(
      identify(
        { authorization: await withRoles('education', ['cdo:education', 'hub-operator']) },
        { ...options, purposeRequired: false },
      ),
    ).resolves.toMatchObject({
      ok: false,
      code: 'ROLE_NOT_HELD',
      message: expect.stringMatching(/the role hub-operator/),
    });
    await expect(
      identify(
        { authorization: await withRoles('education', ['cdo:education']) },
        { ...options, purposeRequired: false },
      ),
    ).resolves.toMatchObject({ ok: true, identity: { roles: ['cdo:education'] } });
    await expect(
      identify(
        { authorization: await withRoles('education-cdo', ['cdo:education']) },
        { ...options, purposeRequired: false },
      ),
    ).resolves.toMatchObject({ ok: true, identity: { consumer: { kind: 'CDO' } } });
    await expect(
      identify(
        { authorization: await withRoles('hub-operations', ['hub-operator']) },
        { ...options, purposeRequired: false },
      ),
    ).resolves.toMatchObject({ ok: true, identity: { roles: ['hub-operator'] } });
    // CDO identities and operators state no purpose: they read no data.
    await expect(
      identify({ authorization: await withRoles('education-cdo', ['cdo:education']), purpose: 'operations' }, options),
    ).resolves.toMatchObject({ ok: false, code: 'PURPOSE_NOT_REGISTERED' });
  });

  it('refuses with catalogued codes', async () => {
    await expect(identify({ authorization: 'Basic abc' }, options)).resolves.toMatchObject({
      ok: false,
      code: 'INVALID_TOKEN',
    });
    await expect(identify({ authorization: 'Bearer not.a.token' }, options)).resolves.toMatchObject({
      ok: false,
      code: 'INVALID_TOKEN',
    });
    await expect(identify({ authorization: `Bearer ${await token('nobody', 'x')}` }, options)).resolves.toMatchObject({
      ok: false,
      code: 'UNKNOWN_CONSUMER',
    });
    await expect(identify({ authorization: `Bearer ${await token('public', 'x')}` }, options)).resolves.toMatchObject({
      ok: false,
      code: 'UNKNOWN_CONSUMER',
    });
    await expect(identify({ authorization: `Bearer ${await token('science')}` }, options)).resolves.toMatchObject({
      ok: false,
      code: 'PURPOSE_REQUIRED',
    });
    await expect(
      identify({ authorization: `Bearer ${await token('science')}`, purpose: 'statistics' }, options),
    ).resolves.toMatchObject({ ok: false, code: 'PURPOSE_NOT_REGISTERED' });
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

describe('purpose rule (pure)', () => {
  it('lets a claim bind and the header speak only where there is no claim', () => {
    expect(statedPurpose(undefined, undefined)).toEqual({ ok: true, purpose: undefined, boundByToken: false });
    expect(statedPurpose('statistics', undefined)).toEqual({ ok: true, purpose: 'statistics', boundByToken: false });
    expect(statedPurpose(undefined, 'planning')).toEqual({ ok: true, purpose: 'planning', boundByToken: true });
    expect(statedPurpose('planning', 'planning')).toEqual({ ok: true, purpose: 'planning', boundByToken: true });
    expect(statedPurpose('  ', 'planning')).toEqual({ ok: true, purpose: 'planning', boundByToken: true });
    expect(statedPurpose('statistics', 'planning')).toMatchObject({ ok: false, code: 'PURPOSE_MISMATCH' });
  });
});

describe('roles presented (pure)', () => {
  it('accepts the roles the consumer directory lets the consumer hold, and nothing else', () => {
    expect(refuseRolesNotHeld({ id: 'education', roles: ['cdo:education'] }, [])).toBeUndefined();
    expect(
      refuseRolesNotHeld({ id: 'education', roles: ['cdo:education'] }, ['cdo:education', 'cdo:education']),
    ).toBeUndefined();
    expect(
      refuseRolesNotHeld({ id: 'education', roles: ['cdo:education'] }, ['cdo:education', 'cdo:science', 'root']),
    ).toMatchObject({
      code: 'ROLE_NOT_HELD',
      message: expect.stringMatching(/does not hold the roles cdo:science, root/),
    });
    expect(refuseRolesNotHeld({ id: 'city-analytics', roles: [] }, ['cdo:education'])).toMatchObject({
      code: 'ROLE_NOT_HELD',
    });
  });
});

describe('operator access (pure)', () => {
  const consumer = (id: string) => consumers.consumers.get(id)!;
  const as = (id: string, roles: string[]) => ({
    ok: true as const,
    identity: { consumer: consumer(id), purpose: undefined, roles, anonymous: false },
  });
  it('takes a hub-operator token: 401 without one, 403 with another, the refusal of a bad one as it is', () => {
    expect(operatorAccess(undefined, 'GET /metrics')).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
    expect(operatorAccess({ ok: false, code: 'ROLE_NOT_HELD', message: 'x' }, 'GET /metrics')).toMatchObject({
      ok: false,
      code: 'ROLE_NOT_HELD',
    });
    expect(operatorAccess(as('education', ['cdo:education']), 'GET /metrics')).toMatchObject({
      ok: false,
      code: 'FORBIDDEN',
      message: expect.stringMatching(/takes the role hub-operator/),
    });
    expect(operatorAccess(as('hub-operations', ['hub-operator']), 'GET /metrics')).toEqual({
      ok: true,
      operator: 'hub-operations',
    });
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
    const env = {
      HUB_JWT_SECRET: 'x'.repeat(32),
      HUB_SUBGRAPH_SIGNING_KEY: 'y'.repeat(32),
      HUB_MASK_HASH_KEY: 'z'.repeat(32),
    };
    expect(loadSecrets({ production: true, env })).toMatchObject({ jwtSecret: 'x'.repeat(32), origin: 'environment' });
    expect(() => loadSecrets({ production: true, env: { ...env, HUB_JWT_SECRET: 'short' } })).toThrow(/at least 32/);
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
