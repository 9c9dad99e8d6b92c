import { createTokenVerifier } from '@cdo-hub/gateway';
import { issueDevelopmentToken, TokenRefusal } from './issueToken';

/** The claims of a JWT, unverified (the verifier is tested beside them). */
const decodeJwt = (token: string): { sub?: string; exp?: number; iat?: number; roles?: string[] } =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));

const SECRET = 'unit-test-jwt-secret-0123456789abcdefghij';
const env = { HUB_JWT_SECRET: SECRET, HUB_SUBGRAPH_SIGNING_KEY: 's'.repeat(32), HUB_MASK_HASH_KEY: 'm'.repeat(32) };

describe('hub token', () => {
  it('mints a role the consumer holds, for 8 h by default, and the gateway accepts it', async () => {
    const token = await issueDevelopmentToken({ consumer: 'education', roles: ['cdo:education'] }, env);
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ sub: 'education', roles: ['cdo:education'] });
    expect(claims.exp! - claims.iat!).toBe(8 * 3600);
    await expect(createTokenVerifier({ kind: 'hs256', secret: SECRET })(token)).resolves.toMatchObject({
      consumer: 'education',
      roles: ['cdo:education'],
    });
  });

  it('refuses a role the consumer does not hold, and a lifetime past TOKEN_MAX_TTL', async () => {
    await expect(issueDevelopmentToken({ consumer: 'city-analytics', roles: ['cdo:education'] }, env)).rejects.toThrow(
      new TokenRefusal(
        'ROLE_NOT_HELD: city-analytics does not hold the role cdo:education (roles it may hold, per the consumer directory: none).',
      ),
    );
    await expect(issueDevelopmentToken({ consumer: 'education', roles: ['hub-operator'] }, env)).rejects.toThrow(
      /ROLE_NOT_HELD/,
    );
    await expect(issueDevelopmentToken({ consumer: 'education', ttl: '25h' }, env)).rejects.toThrow(
      /--ttl 25h is longer than the 24 h the hub accepts \(TOKEN_MAX_TTL\)/,
    );
    await expect(
      issueDevelopmentToken({ consumer: 'education', ttl: '2h' }, { ...env, TOKEN_MAX_TTL: '1h' }),
    ).rejects.toThrow(TokenRefusal);
  });

  it('shortens its default lifetime to a shorter TOKEN_MAX_TTL', async () => {
    const claims = decodeJwt(
      await issueDevelopmentToken(
        { consumer: 'hub-operations', roles: ['hub-operator'] },
        { ...env, TOKEN_MAX_TTL: '30m' },
      ),
    );
    expect(claims.exp! - claims.iat!).toBe(1800);
  });
});
