import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { createServer, type Server } from 'node:http';
import { loadSecrets } from './secrets';
import { createTokenVerifier, signDevelopmentToken, TOKEN_AUDIENCE, TOKEN_ISSUER } from './tokens';

// Rotating the keys tokens are verified with, without a restart of anything that holds a token:
// HS256 through HUB_JWT_SECRET_PREVIOUS, RS256 through the identity provider's JWKS.

const OLD_SECRET = 'jwt-secret-before-rotation-0123456789abcdef';
const NEW_SECRET = 'jwt-secret-after-rotation-0123456789abcdefgh';

describe('HS256 across a rotation of HUB_JWT_SECRET', () => {
  it('verifies tokens signed under the current secret or a previous one, and nothing else', async () => {
    const verify = createTokenVerifier({ kind: 'hs256', secret: NEW_SECRET, previousSecrets: [OLD_SECRET] });
    const before = await signDevelopmentToken(OLD_SECRET, { consumer: 'district-haidian', ttlSeconds: 600 });
    const after = await signDevelopmentToken(NEW_SECRET, { consumer: 'science', ttlSeconds: 600 });
    await expect(verify(before)).resolves.toMatchObject({ consumer: 'district-haidian' });
    await expect(verify(after)).resolves.toMatchObject({ consumer: 'science' });
    const foreign = await signDevelopmentToken('someone-elses-secret-0123456789abcdef', {
      consumer: 'science',
      ttlSeconds: 600,
    });
    await expect(verify(foreign)).rejects.toThrow(/signature verification failed/);
    // Once the previous secret is dropped, its tokens are refused.
    await expect(createTokenVerifier({ kind: 'hs256', secret: NEW_SECRET })(before)).rejects.toThrow(/signature/);
  });

  it('refuses a token under a previous secret for any reason but its signature, as under the current one', async () => {
    const verify = createTokenVerifier({ kind: 'hs256', secret: NEW_SECRET, previousSecrets: [OLD_SECRET] });
    const otherAudience = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('science')
      .setIssuer(TOKEN_ISSUER)
      .setAudience('another-service')
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(OLD_SECRET));
    await expect(verify(otherAudience)).rejects.toThrow(/aud/);
    const tooLong = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('science')
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('30d')
      .sign(new TextEncoder().encode(OLD_SECRET));
    await expect(verify(tooLong)).rejects.toMatchObject({ code: 'TOKEN_LIFETIME_TOO_LONG' });
  });

  it('reads previous secrets from HUB_JWT_SECRET_PREVIOUS (or its file, one per line), each as long as a secret', () => {
    const env = {
      HUB_JWT_SECRET: NEW_SECRET,
      HUB_SUBGRAPH_SIGNING_KEY: 'y'.repeat(32),
      HUB_MASK_HASH_KEY: 'z'.repeat(32),
    };
    expect(loadSecrets({ production: true, env })).not.toHaveProperty('previousJwtSecrets');
    expect(
      loadSecrets({
        production: true,
        env: { ...env, HUB_JWT_SECRET_PREVIOUS: OLD_SECRET, HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS: 'w'.repeat(32) },
      }),
    ).toMatchObject({ previousJwtSecrets: [OLD_SECRET], previousSubgraphSigningKeys: ['w'.repeat(32)] });
    expect(() => loadSecrets({ production: true, env: { ...env, HUB_JWT_SECRET_PREVIOUS: 'short' } })).toThrow(
      /HUB_JWT_SECRET_PREVIOUS must be at least 32 characters/,
    );
  });
});

/** An identity provider's JWKS endpoint, whose published keys the test changes while it runs. */
async function jwksServer(): Promise<{
  url: string;
  publish(keys: JWK[]): void;
  fetches: () => number;
  close(): void;
}> {
  let published: JWK[] = [];
  let fetches = 0;
  const server: Server = createServer((_, response) => {
    fetches++;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    publish: (keys) => (published = keys),
    fetches: () => fetches,
    close: () => server.close(),
  };
}

async function signingKey(kid: string): Promise<{ jwk: JWK; sign(consumer: string): Promise<string> }> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  return {
    jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
    sign: (consumer) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'RS256', kid })
        .setSubject(consumer)
        .setIssuer(TOKEN_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey as CryptoKey),
  };
}

describe('RS256 across a rotation of the identity provider’s key (a JWKS the test serves)', () => {
  let clock: jest.SpyInstance<number, []>;
  afterEach(() => clock?.mockRestore());

  it('verifies a token under a newly published key id without a restart, and the old key while the JWKS lists it', async () => {
    const jwks = await jwksServer();
    // jose fetches the set again for an unknown key id only 30 s after the last fetch: the test moves the clock, not waits.
    let now = Date.now();
    clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const [first, second] = [await signingKey('2026-11'), await signingKey('2026-12')];
      jwks.publish([first.jwk]);
      const verify = createTokenVerifier({ kind: 'rs256-jwks', url: jwks.url });
      await expect(verify(await first.sign('district-haidian'))).resolves.toMatchObject({
        consumer: 'district-haidian',
      });
      expect(jwks.fetches()).toBe(1);

      // The provider publishes its next key beside the current one, then starts signing with it.
      jwks.publish([first.jwk, second.jwk]);
      now += 31_000;
      await expect(verify(await second.sign('science'))).resolves.toMatchObject({ consumer: 'science' });
      expect(jwks.fetches()).toBe(2);
      // Tokens under the old key id (this one never seen before) keep verifying while the set lists it.
      await expect(verify(await first.sign('city-analytics'))).resolves.toMatchObject({ consumer: 'city-analytics' });

      // The old key withdrawn: once the gateway's copy of the set is 10 minutes old it fetches it again.
      jwks.publish([second.jwk]);
      now += 10 * 60_000 + 1;
      await expect(verify(await first.sign('education'))).rejects.toThrow(/no applicable key found/);
      await expect(verify(await second.sign('education'))).resolves.toMatchObject({ consumer: 'education' });
    } finally {
      jwks.close();
    }
  });

  it('refuses a token under a key id the JWKS does not list yet', async () => {
    const jwks = await jwksServer();
    try {
      const [first, second] = [await signingKey('2026-11'), await signingKey('2026-12')];
      jwks.publish([first.jwk]);
      const verify = createTokenVerifier({ kind: 'rs256-jwks', url: jwks.url });
      await expect(verify(await first.sign('science'))).resolves.toMatchObject({ consumer: 'science' });
      await expect(verify(await second.sign('science'))).rejects.toThrow(/no applicable key found/);
    } finally {
      jwks.close();
    }
  });
});
