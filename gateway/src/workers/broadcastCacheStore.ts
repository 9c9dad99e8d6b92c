import type { CachedValue, CacheSetOptions, CacheStore } from '../cache';
import type { PrimaryChannel } from './primaryChannel';

/**
 * A worker's in-memory cache whose invalidations reach every worker: an agency's change event or
 * an operator's purge arrives at one worker (the one the connection landed on), which purges its
 * own entries and relays the tags through the primary to the others. Entries themselves are not
 * shared — each worker fills its own — so only what would serve stale data travels. (With Redis
 * the store is shared and needs none of this.)
 */
export class BroadcastCacheStore implements CacheStore {
  readonly backend: CacheStore['backend'];

  constructor(
    private readonly inner: CacheStore,
    private readonly channel: PrimaryChannel,
  ) {
    this.backend = inner.backend;
    channel.onBroadcast((event) => {
      if (event.kind === 'cache-invalidate') void this.inner.invalidate(event.tags).catch(() => undefined);
    });
  }

  mark(): Promise<number> {
    return this.inner.mark();
  }

  get(key: string): Promise<CachedValue | undefined> {
    return this.inner.get(key);
  }

  getMany(keys: readonly string[]): Promise<(CachedValue | undefined)[]> {
    return this.inner.getMany(keys);
  }

  set(key: string, value: string, options: CacheSetOptions): Promise<boolean> {
    return this.inner.set(key, value, options);
  }

  /** Purges here, and tells every other worker to; resolves how many entries this worker removed. */
  async invalidate(tags: readonly string[]): Promise<number> {
    this.channel.broadcast({ kind: 'cache-invalidate', tags: [...tags] });
    return this.inner.invalidate(tags);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
