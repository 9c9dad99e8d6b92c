import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The header the gateway sends with every subgraph call, naming who asked, for what, and the row
 * scopes of the grants used — signed, so a subgraph can trust it and apply scopes where the data
 * lives. The signature is an HMAC-SHA256 over the timestamp, the header and a digest of the
 * request body, so neither can be swapped for another request's.
 *
 *   x-hub-consumer:  base64url(JSON ConsumerClaims)
 *   x-hub-signature: t=<unix ms>,v1=<base64url HMAC>
 *
 * This module has no dependencies beyond node:crypto: subgraphs import it too.
 */
export interface ScopedFields {
  /** The row scope, e.g. `{ districtCode: '110108' }`. */
  scope: Readonly<Record<string, string>>;
  /** The coordinates the scoped grants release: the scope applies to these only. */
  fields: readonly string[];
}

export interface ConsumerClaims {
  consumer: string;
  /** The agency the consumer belongs to, if any: owner-only operations check it. */
  agency?: string;
  purpose?: string;
  requestId: string;
  /** Row scopes for this subgraph's agency; absent when its rows are not restricted. */
  scope?: ScopedFields;
}

export const CONSUMER_HEADER = 'x-hub-consumer';
export const SIGNATURE_HEADER = 'x-hub-signature';

/** Digest of the parts of a GraphQL request body that decide what it reads. */
export function bodyDigest(body: { query?: string | undefined; variables?: unknown }): string {
  return createHash('sha256')
    .update(body.query ?? '')
    .update('\u0000')
    .update(JSON.stringify(body.variables ?? {}))
    .digest('base64url');
}

function mac(key: string, timestamp: number, header: string, digest: string): string {
  return createHmac('sha256', key).update(`${timestamp}.${header}.${digest}`).digest('base64url');
}

export function signConsumerHeader(key: string, claims: ConsumerClaims, body: { query?: string | undefined; variables?: unknown }, now = Date.now()): Record<string, string> {
  const header = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return { [CONSUMER_HEADER]: header, [SIGNATURE_HEADER]: `t=${now},v1=${mac(key, now, header, bodyDigest(body))}` };
}

export type HeaderVerification = { ok: true; claims: ConsumerClaims; timestamp: number } | { ok: false; reason: 'missing' | 'malformed' | 'bad-signature' | 'stale' };

/** Checks the signature and freshness (default: within 60 s) of a consumer header. */
export function verifyConsumerHeader(
  key: string,
  headers: { consumer?: string | undefined; signature?: string | undefined },
  body: { query?: string | undefined; variables?: unknown },
  options: { now?: number; maxAgeMs?: number } = {},
): HeaderVerification {
  if (!headers.consumer || !headers.signature) return { ok: false, reason: 'missing' };
  const match = /^t=(\d{1,16}),v1=([A-Za-z0-9_-]{43})$/.exec(headers.signature);
  if (!match) return { ok: false, reason: 'malformed' };
  const timestamp = Number(match[1]);
  const expected = Buffer.from(mac(key, timestamp, headers.consumer, bodyDigest(body)));
  const given = Buffer.from(match[2]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad-signature' };
  const now = options.now ?? Date.now();
  if (Math.abs(now - timestamp) > (options.maxAgeMs ?? 60_000)) return { ok: false, reason: 'stale' };
  try {
    const claims = JSON.parse(Buffer.from(headers.consumer, 'base64url').toString('utf8')) as ConsumerClaims;
    if (typeof claims.consumer !== 'string' || typeof claims.requestId !== 'string') return { ok: false, reason: 'malformed' };
    return { ok: true, claims, timestamp };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}
