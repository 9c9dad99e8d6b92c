import {
  createRemoteJWKSet,
  importSPKI,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { createSecretKey, type KeyObject } from 'node:crypto';
import { DEFAULT_TOKEN_MAX_TTL_SECONDS } from '../config';
import { tokenLifetimeProblem } from './tokenLifetime';

/**
 * Bearer tokens name the consumer (`sub`) and may carry a purpose and roles. HS256 with the
 * hub's secret by default; RS256 against a JWKS URL or a public key by configuration. The
 * accepted algorithm is fixed by configuration, so `alg: none` and algorithm confusion (an
 * HS256 token signed with an RS256 public key) are rejected by construction. Every token must
 * expire, and within the hub's maximum lifetime (`TOKEN_MAX_TTL`), whoever issued it.
 */
export const TOKEN_ISSUER = 'cdo-hub';
export const TOKEN_AUDIENCE = 'cdo-hub-gateway';

export type TokenVerification =
  { kind: 'hs256'; secret: string } | { kind: 'rs256-jwks'; url: string } | { kind: 'rs256-key'; publicKeyPem: string };

export interface TokenClaims {
  consumer: string;
  purpose?: string;
  roles: string[];
  /** `exp` and `iat`, in ms since the epoch. */
  expiresAt?: number;
  issuedAt?: number;
}

/** A token whose signature verifies but that lives longer than the hub accepts (or never expires). */
export class TokenLifetimeError extends Error {
  readonly code = 'TOKEN_LIFETIME_TOO_LONG' as const;
}

export type TokenVerifier = (token: string) => Promise<TokenClaims>;

export function createTokenVerifier(
  verification: TokenVerification,
  options: {
    issuer?: string;
    audience?: string;
    cacheSize?: number;
    /** `TOKEN_MAX_TTL` in seconds (default 24 h). */ maxLifetimeSeconds?: number;
  } = {},
): TokenVerifier {
  const issuer = options.issuer ?? TOKEN_ISSUER;
  const maxLifetimeSeconds = options.maxLifetimeSeconds ?? DEFAULT_TOKEN_MAX_TTL_SECONDS;
  const audience = options.audience ?? TOKEN_AUDIENCE;
  let key: Promise<KeyObject | CryptoKey | JWTVerifyGetKey>;
  let algorithms: string[];
  switch (verification.kind) {
    case 'hs256':
      // A KeyObject made once: jose would otherwise import the raw secret on every verification.
      key = Promise.resolve(createSecretKey(Buffer.from(verification.secret)));
      algorithms = ['HS256'];
      break;
    case 'rs256-jwks':
      key = Promise.resolve(createRemoteJWKSet(new URL(verification.url)));
      algorithms = ['RS256'];
      break;
    case 'rs256-key':
      key = importSPKI(verification.publicKeyPem, 'RS256');
      algorithms = ['RS256'];
      break;
    default: {
      const unreachable: never = verification;
      throw new Error(`unknown token verification ${JSON.stringify(unreachable)}`);
    }
  }
  // Apps send the same token with every request: a verified token is remembered until it
  // expires (bounded), so the signature is checked once, not per request.
  const verified = new Map<string, TokenClaims>();
  const capacity = options.cacheSize ?? 10_000;
  return async (token) => {
    const known = verified.get(token);
    if (known && (known.expiresAt ?? 0) > Date.now()) return known;
    if (known) verified.delete(token);
    const resolved = await key;
    // `exp` is checked by the lifetime rule below, which says why a token without one is refused.
    const { payload } = await jwtVerify(token, resolved as KeyObject, {
      algorithms,
      issuer,
      audience,
      requiredClaims: ['sub'],
    });
    const claims = toClaims(payload);
    const tooLong = tokenLifetimeProblem(claims, Date.now(), maxLifetimeSeconds);
    if (tooLong) throw new TokenLifetimeError(tooLong);
    if (verified.size >= capacity) verified.delete(verified.keys().next().value!);
    verified.set(token, claims);
    return claims;
  };
}

function toClaims(payload: JWTPayload): TokenClaims {
  const purpose = typeof payload.purpose === 'string' ? payload.purpose : undefined;
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
  return {
    consumer: payload.sub!,
    ...(purpose ? { purpose } : {}),
    roles,
    ...(typeof payload.exp === 'number' ? { expiresAt: payload.exp * 1000 } : {}),
    ...(typeof payload.iat === 'number' ? { issuedAt: payload.iat * 1000 } : {}),
  };
}

/** A development token signed with the hub's HS256 secret (`hub token`). */
export async function signDevelopmentToken(
  secret: string,
  claims: { consumer: string; purpose?: string; roles?: string[]; ttlSeconds: number },
): Promise<string> {
  return new SignJWT({
    ...(claims.purpose ? { purpose: claims.purpose } : {}),
    ...(claims.roles?.length ? { roles: claims.roles } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.consumer)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + claims.ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}
