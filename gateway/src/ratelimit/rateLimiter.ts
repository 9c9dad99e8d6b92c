import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { decide, windowPosition, type RateDecision, type WindowCounts } from './slidingWindow';

/** Counts requests per key (a consumer, or an address for the public) in a sliding window. */
export interface RateLimiter {
  readonly backend: 'memory' | 'redis';
  /** Counts `weight` requests for `key` if they fit under `limit`; says when to retry if not. */
  take(key: string, weight: number, limit: number, now?: number): Promise<RateDecision>;
}

/** One process's counts: two windows per key, swept as they age out. */
export class MemoryRateLimiter implements RateLimiter {
  readonly backend = 'memory' as const;
  private readonly windows = new Map<string, { start: number; current: number; previous: number }>();
  private lastSweep = 0;

  constructor(private readonly windowMs: number) {}

  async take(key: string, weight: number, limit: number, now = Date.now()): Promise<RateDecision> {
    return this.takeNow(key, weight, limit, now);
  }

  takeNow(key: string, weight: number, limit: number, now: number): RateDecision {
    const { start, elapsed } = windowPosition(now, this.windowMs);
    this.sweep(start);
    const entry = this.windows.get(key);
    const counts: WindowCounts =
      entry?.start === start
        ? { current: entry.current, previous: entry.previous }
        : entry?.start === start - this.windowMs
          ? { current: 0, previous: entry.current }
          : { current: 0, previous: 0 };
    const decision = decide(counts, elapsed, weight, limit, this.windowMs);
    if (decision.allowed) this.windows.set(key, { start, current: counts.current + weight, previous: counts.previous });
    else if (entry?.start !== start) this.windows.set(key, { start, ...counts });
    return decision;
  }

  /** Keys idle for two windows no longer count for anything: forget them (once per window). */
  private sweep(start: number): void {
    if (start === this.lastSweep) return;
    this.lastSweep = start;
    for (const [key, entry] of this.windows) if (entry.start < start - this.windowMs) this.windows.delete(key);
  }
}

// Reads both windows, decides and counts in one step, so gateways sharing the Redis cannot
// together admit more than the limit. KEYS: current window, previous window.
// ARGV: weight, limit, elapsed fraction, expiry (ms).
const TAKE_SCRIPT = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
local weight = tonumber(ARGV[1])
if previous * (1 - tonumber(ARGV[3])) + current + weight > tonumber(ARGV[2]) then
  return {0, current, previous}
end
redis.call('INCRBY', KEYS[1], weight)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {1, current + weight, previous}
`;

type RateRedis = (Redis | Cluster) & {
  cdoHubRateTake?(
    current: string,
    previous: string,
    weight: number,
    limit: number,
    elapsed: number,
    expiryMs: number,
  ): Promise<[number, number, number]>;
};

/**
 * Counts shared by every gateway on one Redis (the cache's). When Redis does not answer, the
 * process counts on its own until it does: limits keep holding per gateway, and a Redis outage
 * never refuses a request the local count would allow.
 */
export class RedisRateLimiter implements RateLimiter {
  readonly backend = 'redis' as const;
  private readonly local: MemoryRateLimiter;
  private degraded = false;

  constructor(
    private readonly redis: RateRedis,
    private readonly windowMs: number,
    private readonly logger?: Logger,
    /** The connection's health as the cache tracks it: while down, count locally without waiting on a command. */
    private readonly isUp: () => boolean = () => true,
  ) {
    this.local = new MemoryRateLimiter(windowMs);
    if (!redis.cdoHubRateTake) redis.defineCommand('cdoHubRateTake', { numberOfKeys: 2, lua: TAKE_SCRIPT });
  }

  async take(key: string, weight: number, limit: number, now = Date.now()): Promise<RateDecision> {
    const { start, elapsed } = windowPosition(now, this.windowMs);
    // One hash tag per key: both windows live in one Cluster slot.
    const prefix = `cdo-hub:rate:{${key}}`;
    if (!this.isUp()) return this.local.takeNow(key, weight, limit, now);
    try {
      const [allowed, current, previous] = await this.redis.cdoHubRateTake!(
        `${prefix}:${start}`,
        `${prefix}:${start - this.windowMs}`,
        weight,
        limit,
        elapsed,
        2 * this.windowMs,
      );
      if (this.degraded) {
        this.degraded = false;
        this.logger?.info('rate limits shared through Redis again');
      }
      if (allowed === 1) return { allowed: true, estimate: previous * (1 - elapsed) + current, retryAfterMs: 0 };
      return decide({ current, previous }, elapsed, weight, limit, this.windowMs);
    } catch (error) {
      if (!this.degraded) {
        this.degraded = true;
        this.logger?.warn({ err: error }, 'rate-limit Redis not answering: counting in this gateway until it does');
      }
      return this.local.takeNow(key, weight, limit, now);
    }
  }
}
