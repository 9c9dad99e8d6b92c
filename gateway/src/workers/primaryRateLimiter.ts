import type { Logger } from 'pino';
import { MemoryRateLimiter, type RateDecision, type RateLimiter } from '../ratelimit';
import type { PrimaryChannel } from './primaryChannel';

/**
 * A worker's rate limiter without Redis: every request is counted in the one window the primary
 * holds (an IPC round trip on the same machine), so a consumer's limit is the limit across all
 * workers. Should the primary not answer in time, the worker counts on its own until it does —
 * as the Redis limiter does when Redis is down: limits still hold per worker, and a slow
 * channel never refuses a request.
 */
export class PrimaryRateLimiter implements RateLimiter {
  readonly backend = 'memory' as const;
  private readonly local: MemoryRateLimiter;
  private degraded = false;

  constructor(
    private readonly channel: PrimaryChannel,
    windowMs: number,
    private readonly logger?: Logger,
    private readonly timeoutMs = 1000,
  ) {
    this.local = new MemoryRateLimiter(windowMs);
  }

  async take(key: string, weight: number, limit: number, now = Date.now()): Promise<RateDecision> {
    try {
      const answer = await this.channel.request({ cdoHub: 'rate-take', key, weight, limit }, this.timeoutMs);
      if (answer.cdoHub !== 'rate-decision') throw new Error(`unexpected answer ${answer.cdoHub}`);
      if (this.degraded) {
        this.degraded = false;
        this.logger?.info('rate limits shared through the gateway primary again');
      }
      return answer.decision;
    } catch (error) {
      if (!this.degraded) {
        this.degraded = true;
        this.logger?.warn({ err: error }, 'gateway primary not answering rate-limit requests: counting in this worker');
      }
      return this.local.takeNow(key, weight, limit, now);
    }
  }
}
