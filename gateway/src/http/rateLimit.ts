import { HeaderMap } from '@apollo/server';
import type { FastifyRequest } from 'fastify';
import { requestError } from '../errors';
import type { Identity } from '../consumers';
import type { HubMetrics } from '../metrics';
import type { RateLimiter } from '../ratelimit';

/**
 * Counts a GraphQL request against its asker's limit, throwing the 429 refusal past it. The asker
 * is the identity (undefined: unidentified, or refused — refused identities count per address
 * too, so bad tokens cannot be sent at any rate).
 */
export type RequestRateLimit = (request: FastifyRequest, identity: Identity | undefined) => Promise<void>;

export function requestRateLimit(options: {
  limiter: RateLimiter;
  metrics: HubMetrics;
  perMinute: number;
}): RequestRateLimit {
  return async (request, identity) => {
    // Each operation of a batch counts against the limit.
    const weight = Array.isArray(request.body) ? Math.max(1, request.body.length) : 1;
    if (!identity)
      return enforce(options, {
        key: `address:${request.ip}`,
        label: 'unidentified',
        limit: options.perMinute,
        weight,
      });
    // The public (no token) is counted per address, every registered consumer on its own.
    const { consumer, anonymous } = identity;
    return enforce(options, {
      key: anonymous ? `address:${request.ip}` : `consumer:${consumer.id}`,
      label: consumer.id,
      limit: consumer.rateLimitPerMinute ?? options.perMinute,
      weight,
    });
  };
}

/**
 * Counts a request against its limit; past it, refuses with 429, `Retry-After` and the wait in
 * `extensions.retryAfterSeconds`. A limit of 0 (registry or `RATE_LIMIT_PER_MINUTE`) is no limit.
 */
async function enforce(
  options: { limiter: RateLimiter; metrics: HubMetrics },
  request: { key: string; label: string; limit: number; weight: number },
): Promise<void> {
  if (!request.limit) return;
  const decision = await options.limiter.take(request.key, request.weight, request.limit);
  if (decision.allowed) return;
  options.metrics.rateLimited.inc({ consumer: request.label });
  const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  const error = requestError(
    'RATE_LIMITED',
    `Too many requests: this consumer may send ${request.limit} per minute. Retry in ${retryAfterSeconds} s.`,
    { retryAfterSeconds },
  );
  (error.extensions as { http: { status: number; headers?: HeaderMap } }).http.headers = new HeaderMap([
    ['retry-after', String(retryAfterSeconds)],
  ]);
  throw error;
}
