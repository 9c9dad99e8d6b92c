import type { NonceStore } from '@cdo-hub/contracts';
import { Redis } from 'ioredis';

/**
 * The nonce store shared by every replica of the hub's subgraphs (`REDIS_URL`), so a call
 * accepted by one replica is refused as replayed by all: `SET <nonce> NX PX <ms until the
 * signature expires>`, which Redis answers atomically and forgets by itself.
 *
 * When Redis does not answer, `claim` rejects and the subgraph refuses the call (503): falling
 * back to one replica's memory would quietly let a captured call be replayed against the others,
 * and the shared store is there precisely to prevent that. Commands fail fast (no offline queue,
 * a short timeout), so an outage costs each call milliseconds, not the gateway's timeout.
 */
export class RedisNonceStore implements NonceStore {
  private readonly redis: Redis;

  constructor(
    url: string,
    options: { commandTimeoutMs?: number } = {},
    private readonly prefix = 'cdo-hub:subgraph-nonce:',
  ) {
    this.redis = new Redis(url, {
      lazyConnect: true,
      commandTimeout: options.commandTimeoutMs ?? 500,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    this.redis.on('error', () => undefined); // surfaced as refused calls, logged there
  }

  /** Connects; rejects if Redis is not there yet (the client keeps trying in the background). */
  async connect(): Promise<void> {
    await this.redis.connect();
  }

  async claim(nonce: string, expiresAt: number, now: number): Promise<'fresh' | 'replayed' | 'stale'> {
    const answer = await this.redis.set(this.prefix + nonce, '1', 'PX', Math.max(1, expiresAt - now + 1), 'NX');
    return answer === 'OK' ? 'fresh' : 'replayed';
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
