import {
  createRemoteJWKSet,
  importSPKI,
  jwtVerify,
  errors,
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

/**
 * How tokens are verified. HS256 may name the secrets used before `secret` (`HUB_JWT_SECRET_PREVIOUS`):
 * their tokens keep verifying until they expire, so a rotation logs nobody out. A JWKS rotates by
 * itself: jose fetches the set again when a token names a key id it does not hold (at most every
 * 30 s) and when its copy is 10 minutes old.
 */
export type TokenVerification =
  | { kind: 'hs256'; secret: string; previousSecrets?: readonly string[] }
  | { kind: 'rs256-jwks'; url: string }
  | { kind: 'rs256-key'; publicKeyPem: string };

export interface TokenClaims {
  consumer: string;
  purpose?: string;
  roles: string[];
  /**
   * A data subject's token (`subject`: their resident ID number or USCC): a person reading their own
   * access log at `/transparency`, never a consumer department.
   */
  subject?: string;
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
  // Tried in order: the current key first; the next only when a signature does not verify under it.
  let keys: Promise<(KeyObject | CryptoKey | JWTVerifyGetKey)[]>;
  let algorithms: string[];
  switch (verification.kind) {
    case 'hs256':
      // KeyObjects made once: jose would otherwise import the raw secret on every verification.
      keys = Promise.resolve(
        [verification.secret, ...(verification.previousSecrets ?? [])].map((secret) =>
          createSecretKey(Buffer.from(secret)),
        ),
      );
      algorithms = ['HS256'];
      break;
    case 'rs256-jwks':
      keys = Promise.resolve([createRemoteJWKSet(new URL(verification.url))]);
      algorithms = ['RS256'];
      break;
    case 'rs256-key':
      keys = importSPKI(verification.publicKeyPem, 'RS256').then((key) => [key]);
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
    const payload = await verifiedPayload(token, await keys, { algorithms, issuer, audience });
    const claims = toClaims(payload);
    const tooLong = tokenLifetimeProblem(claims, Date.now(), maxLifetimeSeconds);
    if (tooLong) throw new TokenLifetimeError(tooLong);
    if (verified.size >= capacity) verified.delete(verified.keys().next().value!);
    verified.set(token, claims);
    return claims;
  };
}

/**
 * The payload of a token whose signature verifies under one of `keys`, tried in order. Only a
 * signature that does not verify moves on to the next key; any other refusal (expired, another
 * issuer, another algorithm) is final, whichever key it came from.
 */
async function verifiedPayload(
  token: string,
  keys: readonly (KeyObject | CryptoKey | JWTVerifyGetKey)[],
  options: { algorithms: string[]; issuer: string; audience: string },
): Promise<JWTPayload> {
  for (const [index, key] of keys.entries()) {
    try {
      // `exp` is checked by the lifetime rule after this, which says why a token without one is refused.
      const { payload } = await jwtVerify(token, key as KeyObject, { ...options, requiredClaims: ['sub'] });
      return payload;
    } catch (error) {
      if (!(error instanceof errors.JWSSignatureVerificationFailed) || index === keys.length - 1) throw error;
    }
  }
  throw new Error('no key to verify tokens with');
}

function toClaims(payload: JWTPayload): TokenClaims {
  const purpose = typeof payload.purpose === 'string' ? payload.purpose : undefined;
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
  const subject = typeof payload.subject === 'string' ? payload.subject : undefined;
  return {
    consumer: payload.sub!,
    ...(purpose ? { purpose } : {}),
    roles,
    ...(subject !== undefined ? { subject } : {}),
    ...(typeof payload.exp === 'number' ? { expiresAt: payload.exp * 1000 } : {}),
    ...(typeof payload.iat === 'number' ? { issuedAt: payload.iat * 1000 } : {}),
  };
}

/** The `sub` of a data subject's token: no consumer is called so, and a subject token is refused as one anyway. */
export const DATA_SUBJECT = 'data-subject';

/** A data subject's development token (`hub token --subject ID`), for their own access log only. */
export async function signSubjectToken(
  secret: string,
  claims: { subject: string; ttlSeconds: number },
): Promise<string> {
  return new SignJWT({ subject: claims.subject })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(DATA_SUBJECT)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + claims.ttlSeconds)
    .sign(new TextEncoder().encode(secret));
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
