import type { Consumer, ConsumerRegistry } from '../consumers';
import { PUBLIC_CONSUMER_ID } from '../consumers';
import type { ErrorCode } from '../errors';
import type { TokenClaims, TokenVerifier } from './tokens';

/** Who is asking, and for what. */
export interface Identity {
  consumer: Consumer;
  purpose: string | undefined;
  roles: readonly string[];
  /** True when no token was sent (the public consumer). */
  anonymous: boolean;
}

export type IdentityResult = { ok: true; identity: Identity } | { ok: false; code: Extract<ErrorCode, 'UNAUTHENTICATED' | 'INVALID_TOKEN' | 'UNKNOWN_CONSUMER' | 'PURPOSE_REQUIRED' | 'PURPOSE_NOT_REGISTERED'>; message: string };

export interface IdentifyOptions {
  registry: ConsumerRegistry;
  verify: TokenVerifier;
  /** Refuse requests without a token instead of treating them as the public. */
  requireToken: boolean;
  /** Data requests must state a purpose (default); admin actions need none. */
  purposeRequired?: boolean;
}

/**
 * Works out the consumer and purpose of a request from its `Authorization: Bearer` token and its
 * `x-data-purpose` header (or the token's `purpose` claim). Every refusal is a catalogued code.
 */
export async function identify(headers: { authorization?: string | undefined; purpose?: string | undefined }, options: IdentifyOptions): Promise<IdentityResult> {
  const header = headers.authorization?.trim();
  if (!header) {
    if (options.requireToken) return { ok: false, code: 'UNAUTHENTICATED', message: 'This hub requires a bearer token.' };
    const publicConsumer = options.registry.consumers.get(PUBLIC_CONSUMER_ID)!;
    return { ok: true, identity: { consumer: publicConsumer, purpose: headers.purpose?.trim() || undefined, roles: [], anonymous: true } };
  }
  const match = /^Bearer\s+([A-Za-z0-9_\-.]+)$/i.exec(header);
  if (!match) return { ok: false, code: 'INVALID_TOKEN', message: 'The Authorization header must be `Bearer <token>`.' };
  let claims: TokenClaims;
  try {
    claims = await options.verify(match[1]!);
  } catch (error) {
    return { ok: false, code: 'INVALID_TOKEN', message: `The token was refused: ${describeTokenError(error)}.` };
  }
  const consumer = options.registry.consumers.get(claims.consumer);
  if (!consumer || consumer.kind === 'PUBLIC') return { ok: false, code: 'UNKNOWN_CONSUMER', message: `The token names consumer "${claims.consumer}", which is not registered.` };
  const purpose = headers.purpose?.trim() || claims.purpose;
  if (!purpose && options.purposeRequired === false) return { ok: true, identity: { consumer, purpose: undefined, roles: claims.roles, anonymous: false } };
  if (!purpose) return { ok: false, code: 'PURPOSE_REQUIRED', message: `State the purpose of this request in the x-data-purpose header (${consumer.id} may state: ${consumer.purposes.join(', ')}).` };
  if (!consumer.purposes.includes(purpose)) {
    return { ok: false, code: 'PURPOSE_NOT_REGISTERED', message: `${consumer.id} may not state purpose "${purpose}"; registered purposes: ${consumer.purposes.join(', ') || 'none'}.` };
  }
  return { ok: true, identity: { consumer, purpose, roles: claims.roles, anonymous: false } };
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
