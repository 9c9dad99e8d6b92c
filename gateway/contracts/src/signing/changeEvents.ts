import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Change events an agency's subgraph sends the gateways (`POST /internal/changes`): the entities
 * it changed, so cached responses holding them are purged. Signed like the consumer header, with
 * the hub's subgraph signing key over a timestamp and the body, and accepted for 60 seconds, so
 * nobody else can purge (or flood) the cache.
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

function mac(key: string, timestamp: number, body: string): string {
  return createHmac('sha256', key).update(`change.${timestamp}.${body}`).digest('hex');
}

/** The body to send and the header that vouches for it. */
export function signChangeEvent(
  key: string,
  event: ChangeEvent,
  now = Date.now(),
): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(event);
  return {
    body,
    headers: { 'content-type': 'application/json', [CHANGE_SIGNATURE_HEADER]: `t=${now},v1=${mac(key, now, body)}` },
  };
}

export function verifyChangeEvent(
  key: string,
  rawBody: string,
  header: string | undefined,
  now = Date.now(),
): { ok: true; event: ChangeEvent } | { ok: false; reason: string } {
  const match = header && /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return { ok: false, reason: 'missing or malformed signature' };
  const timestamp = Number(match[1]);
  if (Math.abs(now - timestamp) > FRESH_MS) return { ok: false, reason: 'stale signature' };
  const expected = Buffer.from(mac(key, timestamp, rawBody), 'hex');
  const given = Buffer.from(match[2]!, 'hex');
  if (!timingSafeEqual(expected, given)) return { ok: false, reason: 'bad signature' };
  try {
    const event = JSON.parse(rawBody) as ChangeEvent;
    if (typeof event.agency !== 'string' || !Array.isArray(event.changes))
      return { ok: false, reason: 'not a change event' };
    return { ok: true, event };
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
}
