import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { parseTraceparent, TRACEPARENT_HEADER } from '../tracing/traceparent';
import { keyringOf, type SigningKeys } from './signingKeyring';

/**
 * The signature every call to an agency's subgraph carries, and the signed header naming who
 * asked, for what, and the row scopes of the grants used — so a subgraph can trust it and apply
 * scopes where the data lives, and refuse any call that did not come from the hub.
 *
 *   x-hub-consumer:  base64url(JSON ConsumerClaims)          (absent for calls made for no consumer)
 *   x-hub-signature: t=<unix ms>,n=<random base64url>,v1=<base64url HMAC-SHA256>
 *
 * The MAC covers `audience.t.n.header.bodyDigest`: the audience (the subgraph's name) ties the
 * call to the one agency it was sent to, the timestamp bounds how long a signature is good for,
 * the nonce makes every call unique so a subgraph can refuse a captured call sent again, and the
 * header and body digest tie it to this consumer and this operation. An absent consumer header is
 * signed as the empty string, so it cannot be stripped from, or added to, a signed call.
 *
 * A call made while tracing also carries the W3C `traceparent` (`../tracing/traceparent.ts`), and
 * then the MAC covers it too, after the rest (`….bodyDigest.traceparent`): the agency joins its
 * spans to the trace the header names only because the hub signed it, and a changed, added or
 * stripped `traceparent` fails the signature like any other tampering. A call without one signs
 * exactly what calls signed before tracing existed.
 *
 * It needs only node:crypto and zod, as all of @cdo-hub/contracts must: every agency installs it
 * (docs/adr/0002-contracts-package.md).
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
  /**
   * The case the request serves (`x-case-id`, 1–64 visible ASCII characters), when it named one.
   * Optional: an agency on an older contracts package ignores it and still verifies the call.
   */
  case?: string;
}

export const CONSUMER_HEADER = 'x-hub-consumer';
export const SIGNATURE_HEADER = 'x-hub-signature';

/** How long a signature is accepted after it was made. Short: a captured call is worth little. */
export const DEFAULT_SIGNATURE_MAX_AGE_MS = 30_000;
/** How far in the future a signature's timestamp may lie: clocks of two hosts never agree exactly. */
export const DEFAULT_SIGNATURE_CLOCK_SKEW_MS = 5_000;

/** The parts of a GraphQL request body a signature covers. */
export interface SignedBody {
  query?: string | undefined;
  variables?: unknown;
}

/** Digest of the parts of a GraphQL request body that decide what it reads. */
export function bodyDigest(body: SignedBody): string {
  return createHash('sha256')
    .update(body.query ?? '')
    .update('\u0000')
    .update(JSON.stringify(body.variables ?? {}))
    .digest('base64url');
}

function mac(
  key: string,
  audience: string,
  timestamp: number,
  nonce: string,
  header: string,
  digest: string,
  traceparent: string | undefined,
): string {
  // No part contains a dot (base64url, decimal, the traceparent's hex and dashes): the parts cannot shift.
  const traced = traceparent === undefined ? '' : `.${traceparent}`;
  return createHmac('sha256', key)
    .update(`${audience}.${timestamp}.${nonce}.${header}.${digest}${traced}`)
    .digest('base64url');
}

/**
 * The headers that let a call through to a subgraph: the signature, and the consumer header when
 * the call is made for a consumer. Every legitimate direct caller (the gateway's fetches and
 * readiness probe, `hub schema check --url`, the benchmark, tests) signs through this one function;
 * sign every request anew — a signature is good for one call. `traceparent`, when the caller is
 * tracing, is signed and sent with the call.
 */
export function signedSubgraphHeaders(
  key: string,
  audience: string,
  body: SignedBody,
  claims?: ConsumerClaims,
  options: { now?: number; nonce?: string; traceparent?: string | undefined } = {},
): Record<string, string> {
  const now = options.now ?? Date.now();
  const nonce = options.nonce ?? randomBytes(16).toString('base64url');
  const header = claims ? Buffer.from(JSON.stringify(claims)).toString('base64url') : '';
  const { traceparent } = options;
  if (traceparent !== undefined && !parseTraceparent(traceparent))
    throw new Error(`not a W3C traceparent: ${traceparent}`);
  const signature = `t=${now},n=${nonce},v1=${mac(key, audience, now, nonce, header, bodyDigest(body), traceparent)}`;
  const headers: Record<string, string> = claims
    ? { [CONSUMER_HEADER]: header, [SIGNATURE_HEADER]: signature }
    : { [SIGNATURE_HEADER]: signature };
  if (traceparent !== undefined) headers[TRACEPARENT_HEADER] = traceparent;
  return headers;
}

/** The headers of a call a subgraph checks: the consumer header, the signature and the trace context. */
export interface SignedCallHeaders {
  consumer?: string | undefined;
  signature?: string | undefined;
  traceparent?: string | undefined;
}

/** Why a subgraph refuses a call; `replayed` is decided with a nonce store (`admitSignedCall`). */
export type RefusalReason = 'missing' | 'malformed' | 'bad-signature' | 'stale' | 'replayed';

/**
 * A verified signature; `previousKey` is set when it was made under a key the hub used before
 * (`HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS`): a gateway that has not moved to the current key yet.
 */
export type SignatureVerification =
  | { ok: true; claims?: ConsumerClaims; timestamp: number; nonce: string; previousKey?: true }
  | { ok: false; reason: Exclude<RefusalReason, 'replayed'> };

export interface FreshnessOptions {
  now?: number;
  /** How old a signature may be (default 30 s). */
  maxAgeMs?: number;
  /** How far ahead of this clock a signature's timestamp may be (default 5 s). */
  clockSkewMs?: number;
}

const claimsSchema = z.object({
  consumer: z.string(),
  agency: z.string().optional(),
  purpose: z.string().optional(),
  requestId: z.string(),
  scope: z.object({ scope: z.record(z.string(), z.string()), fields: z.array(z.string()) }).optional(),
  case: z
    .string()
    .regex(/^[\x21-\x7e]{1,64}$/)
    .optional(),
});

const SIGNATURE_FORMAT = /^t=(\d{1,16}),n=([A-Za-z0-9_-]{16,64}),v1=([A-Za-z0-9_-]{43})$/;

/**
 * Checks a call's signature and freshness: a pure function of the keys, the headers, the body and
 * the clock. The MAC is checked before the clock, so a forged call learns nothing about timing.
 * The current key is tried first; a previous key only when it fails, so a call costs one more
 * HMAC only while a rotation lasts and only for gateways still on the old key. Whether the nonce
 * was seen before is the nonce store's part (`admitSignedCall`).
 */
export function verifySubgraphSignature(
  keys: SigningKeys,
  audience: string,
  headers: SignedCallHeaders,
  body: SignedBody,
  options: FreshnessOptions = {},
): SignatureVerification {
  if (!headers.signature) return { ok: false, reason: 'missing' };
  const match = SIGNATURE_FORMAT.exec(headers.signature);
  if (!match) return { ok: false, reason: 'malformed' };
  const timestamp = Number(match[1]);
  const nonce = match[2]!;
  const header = headers.consumer ?? '';
  // A traceparent the hub would not have written was not signed by it: no MAC is worth computing.
  if (headers.traceparent !== undefined && !parseTraceparent(headers.traceparent))
    return { ok: false, reason: 'malformed' };
  const keyring = keyringOf(keys);
  const digest = bodyDigest(body);
  const given = Buffer.from(match[3]!);
  const signedUnder = (key: string) => {
    const expected = Buffer.from(mac(key, audience, timestamp, nonce, header, digest, headers.traceparent));
    return expected.length === given.length && timingSafeEqual(expected, given);
  };
  const underCurrent = signedUnder(keyring.current);
  if (!underCurrent && !keyring.previous.some(signedUnder)) return { ok: false, reason: 'bad-signature' };
  const previousKey = underCurrent ? {} : { previousKey: true as const };
  const now = options.now ?? Date.now();
  if (
    now - timestamp > (options.maxAgeMs ?? DEFAULT_SIGNATURE_MAX_AGE_MS) ||
    timestamp - now > (options.clockSkewMs ?? DEFAULT_SIGNATURE_CLOCK_SKEW_MS)
  )
    return { ok: false, reason: 'stale' };
  if (!header) return { ok: true, timestamp, nonce, ...previousKey };
  try {
    const claims = claimsSchema.safeParse(JSON.parse(Buffer.from(header, 'base64url').toString('utf8')));
    return claims.success
      ? { ok: true, claims: claims.data as ConsumerClaims, timestamp, nonce, ...previousKey }
      : { ok: false, reason: 'malformed' };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}

/**
 * Remembers the nonces of accepted calls for as long as their signatures are fresh. `claim`
 * answers `fresh` the first time a nonce is seen, `replayed` after; a bounded store may also
 * answer `stale` for a call older than anything it can still vouch for. It rejects (throws) when
 * it cannot tell, and the caller refuses the call.
 */
export interface NonceStore {
  claim(nonce: string, expiresAt: number, now: number): Promise<'fresh' | 'replayed' | 'stale'>;
  close?(): Promise<void>;
}

/**
 * The nonce store of one subgraph process: a map bounded by `maxEntries`. Expired nonces are
 * dropped as new ones arrive. When the map is full the oldest entry is evicted and its expiry
 * becomes a floor: a call expiring no later than an evicted nonce is refused as stale, so an
 * evicted nonce can never be replayed and memory never grows past the bound. Only calls with a
 * valid signature reach the store, so only the key's holder can fill it.
 */
export class MemoryNonceStore implements NonceStore {
  private readonly seen = new Map<string, number>();
  private floor = -Infinity;

  constructor(private readonly maxEntries = 100_000) {}

  get size(): number {
    return this.seen.size;
  }

  async claim(nonce: string, expiresAt: number, now: number): Promise<'fresh' | 'replayed' | 'stale'> {
    // Entries leave in insertion order, which is near expiry order (timestamps differ by skew only).
    for (const [oldest, expiry] of this.seen) {
      if (expiry >= now) break;
      this.seen.delete(oldest);
    }
    if (this.seen.has(nonce)) return 'replayed';
    if (expiresAt <= this.floor) return 'stale';
    if (this.seen.size >= this.maxEntries) {
      const [oldest, expiry] = this.seen.entries().next().value!;
      // Checked before evicting: a refused call evicts nothing.
      if (expiresAt <= expiry) return 'stale';
      this.seen.delete(oldest);
      this.floor = Math.max(this.floor, expiry);
    }
    this.seen.set(nonce, expiresAt);
    return 'fresh';
  }
}

export type CallAdmission =
  { ok: true; claims?: ConsumerClaims; previousKey?: true } | { ok: false; reason: RefusalReason };

/**
 * The whole check a subgraph makes before it executes anything: signature, freshness, then the
 * nonce, which is claimed only once everything else holds (a refused call uses no store space).
 * Rejects when the nonce store cannot answer.
 */
export async function admitSignedCall(
  keys: SigningKeys,
  audience: string,
  headers: SignedCallHeaders,
  body: SignedBody,
  store: NonceStore,
  options: FreshnessOptions = {},
): Promise<CallAdmission> {
  const now = options.now ?? Date.now();
  const verification = verifySubgraphSignature(keys, audience, headers, body, { ...options, now });
  if (!verification.ok) return verification;
  const seen = await store.claim(
    verification.nonce,
    verification.timestamp + (options.maxAgeMs ?? DEFAULT_SIGNATURE_MAX_AGE_MS),
    now,
  );
  if (seen !== 'fresh') return { ok: false, reason: seen };
  return {
    ok: true,
    ...(verification.claims ? { claims: verification.claims } : {}),
    ...(verification.previousKey ? { previousKey: true as const } : {}),
  };
}
