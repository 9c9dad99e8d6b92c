import { PUBLIC_CONSUMER_ID, type ConsumerDirectory, type Identity } from '../consumers';
import type { ErrorCode } from '../errors';
import { refuseRolesNotHeld } from './presentedRoles';
import { statedPurpose } from './purposeRule';
import { TokenLifetimeError, type TokenClaims, type TokenVerifier } from './tokens';

export type IdentityRefusalCode = Extract<
  ErrorCode,
  | 'UNAUTHENTICATED'
  | 'INVALID_TOKEN'
  | 'TOKEN_LIFETIME_TOO_LONG'
  | 'UNKNOWN_CONSUMER'
  | 'SUBJECT_NOT_A_CONSUMER'
  | 'ROLE_NOT_HELD'
  | 'PURPOSE_MISMATCH'
  | 'PURPOSE_REQUIRED'
  | 'PURPOSE_NOT_REGISTERED'
>;

export type IdentityResult =
  { ok: true; identity: Identity } | { ok: false; code: IdentityRefusalCode; message: string };

export interface IdentifyOptions {
  directory: ConsumerDirectory;
  verify: TokenVerifier;
  /** Refuse requests without a token instead of treating them as the public. */
  requireToken: boolean;
  /** Data requests must state a purpose (default); admin actions need none. */
  purposeRequired?: boolean;
}

/**
 * Works out the consumer, roles and purpose of a request from its `Authorization: Bearer` token and
 * its `x-data-purpose` header (or the token's `purpose` claim, which binds). Every refusal is a
 * catalogued code; a token claiming a role its consumer does not hold is refused here, so no route
 * ever sees such a role.
 */
export async function identify(
  headers: { authorization?: string | undefined; purpose?: string | undefined },
  options: IdentifyOptions,
): Promise<IdentityResult> {
  const header = headers.authorization?.trim();
  if (!header) {
    if (options.requireToken)
      return { ok: false, code: 'UNAUTHENTICATED', message: 'This hub requires a bearer token.' };
    const publicConsumer = options.directory.consumers.get(PUBLIC_CONSUMER_ID)!;
    return {
      ok: true,
      identity: { consumer: publicConsumer, purpose: headers.purpose?.trim() || undefined, roles: [], anonymous: true },
    };
  }
  const token = bearerTokenOf(header);
  if (!token)
    return { ok: false, code: 'INVALID_TOKEN', message: 'The Authorization header must be `Bearer <token>`.' };
  let claims: TokenClaims;
  try {
    claims = await options.verify(token);
  } catch (error) {
    if (error instanceof TokenLifetimeError)
      return { ok: false, code: error.code, message: `The token was refused: ${error.message}.` };
    return { ok: false, code: 'INVALID_TOKEN', message: `The token was refused: ${describeTokenError(error)}.` };
  }
  // A person signed in to read their own access log is not a department: no agency data, no admin action.
  if (claims.subject !== undefined)
    return {
      ok: false,
      code: 'SUBJECT_NOT_A_CONSUMER',
      message: "This is a data subject's token: it reads your own access log at /transparency, not agency data.",
    };
  const consumer = options.directory.consumers.get(claims.consumer);
  if (!consumer || consumer.kind === 'PUBLIC')
    return {
      ok: false,
      code: 'UNKNOWN_CONSUMER',
      message: `The token names consumer "${claims.consumer}", which is not registered.`,
    };
  const roleRefusal = refuseRolesNotHeld(consumer, claims.roles);
  if (roleRefusal) return { ok: false, ...roleRefusal };
  const stated = statedPurpose(headers.purpose, claims.purpose);
  if (!stated.ok) return stated;
  const { purpose, boundByToken } = stated;
  const known = { consumer, roles: claims.roles, anonymous: false, ...(boundByToken ? { purposeBound: true } : {}) };
  if (!purpose && options.purposeRequired === false) return { ok: true, identity: { ...known, purpose: undefined } };
  if (!purpose)
    return {
      ok: false,
      code: 'PURPOSE_REQUIRED',
      message: `State the purpose of this request in the x-data-purpose header (${consumer.id} may state: ${consumer.purposes.join(', ') || 'none: it reads no data'}).`,
    };
  if (!consumer.purposes.includes(purpose)) {
    return {
      ok: false,
      code: 'PURPOSE_NOT_REGISTERED',
      message: `${consumer.id} may not state purpose "${purpose}"; registered purposes: ${consumer.purposes.join(', ') || 'none'}.`,
    };
  }
  return { ok: true, identity: { ...known, purpose } };
}

function describeTokenError(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'it has expired';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'its signing algorithm is not accepted';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'its signature does not verify';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return `claim check failed (${(error as { claim?: string }).claim ?? 'claim'})`;
    default:
      return 'it is malformed';
  }
}

/** The token of an `Authorization: Bearer <token>` header; undefined for any other form. */
export function bearerTokenOf(header: string): string | undefined {
  return /^Bearer\s+([A-Za-z0-9_\-.]+)$/i.exec(header)?.[1];
}
