import { createHmac, timingSafeEqual } from 'node:crypto';
import { keyringOf, type SigningKeys } from './signingKeyring';

/**
 * Change events an agency's subgraph sends the gateways (`POST /internal/changes`): the entities
 * it changed, so cached responses holding them are purged. Signed like the consumer header, with
 * the hub's subgraph signing key over a timestamp and the body, and accepted for 60 seconds, so
 * nobody else can purge (or flood) the cache.
 *
 * During a rotation of the signing key an agency signs each event under every key it holds — its
 * current one and those the hub used before — one `v1=` each, as webhook senders do while their
 * secret rotates: the agencies move to the new key before the gateways, and a gateway on either
 * key finds its own among them. A gateway checks its current key only.
 */
export interface ChangeEvent {
  agency: string;
  /** Entities changed (`{ type: 'School', key: '1101…' }`), or whole types (`{ type: 'PriceObservation' }`). */
  changes: { type: string; key?: string }[];
}

export const CHANGE_SIGNATURE_HEADER = 'x-hub-change-signature';
/** The Redis pub/sub channel change events travel on when REDIS_URL is set. */
export const CHANGES_CHANNEL = 'cdo-hub:changes';
const FRESH_MS = 60_000;
/** More signatures than a rotation ever needs are refused unread: each costs the gateway nothing but parsing. */
const MAX_SIGNATURES = 4;
const SIGNATURE_FORMAT = new RegExp(`^t=(\\d{1,16})((?:,v1=[0-9a-f]{64}){1,${MAX_SIGNATURES}})$`);

function mac(key: string, timestamp: number, body: string): string {
  return createHmac('sha256', key).update(`change.${timestamp}.${body}`).digest('hex');
}

/** The body to send and the header that vouches for it: one signature per key the agency holds. */
export function signChangeEvent(
  keys: SigningKeys,
  event: ChangeEvent,
  now = Date.now(),
): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(event);
  const keyring = keyringOf(keys);
  const signatures = [keyring.current, ...keyring.previous]
    .slice(0, MAX_SIGNATURES)
    .map((key) => `,v1=${mac(key, now, body)}`)
    .join('');
  return {
    body,
    headers: { 'content-type': 'application/json', [CHANGE_SIGNATURE_HEADER]: `t=${now}${signatures}` },
  };
}

export function verifyChangeEvent(
  key: string,
  rawBody: string,
  header: string | undefined,
  now = Date.now(),
): { ok: true; event: ChangeEvent } | { ok: false; reason: string } {
  const match = header && SIGNATURE_FORMAT.exec(header);
  if (!match) return { ok: false, reason: 'missing or malformed signature' };
  const timestamp = Number(match[1]);
  if (Math.abs(now - timestamp) > FRESH_MS) return { ok: false, reason: 'stale signature' };
  const expected = Buffer.from(mac(key, timestamp, rawBody), 'hex');
  const signed = match[2]!
    .split(',v1=')
    .slice(1)
    .some((given) => timingSafeEqual(expected, Buffer.from(given, 'hex')));
  if (!signed) return { ok: false, reason: 'bad signature' };
  try {
    const event = JSON.parse(rawBody) as ChangeEvent;
    if (typeof event.agency !== 'string' || !Array.isArray(event.changes))
      return { ok: false, reason: 'not a change event' };
    return { ok: true, event };
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
}
