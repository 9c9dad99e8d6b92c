import { LRUCache } from 'lru-cache';
import type { CachedValue, CacheSetOptions, CacheStore } from './cacheStore';

interface Entry extends CachedValue {
  tags: readonly string[];
}

/**
 * The embedded cache: an LRU bounded by total size (`maxBytes`), each entry with its own TTL, a
 * tag index kept in step with evictions, and an invalidation log so fills that raced an
 * invalidation are refused. The log is bounded too: when it forgets a tag, fills marked before
 * that point are refused altogether (`floor`), so forgetting never lets stale data in.
 */
export class MemoryCacheStore implements CacheStore {
  readonly backend = 'memory' as const;
  private readonly entries: LRUCache<string, Entry>;
  private readonly index = new Map<string, Set<string>>();
  private readonly invalidatedAt: LRUCache<string, number>;
  private sequence = 0;
  private floor = 0;

  constructor(options: { maxBytes?: number; maxTags?: number } = {}) {
    this.entries = new LRUCache<string, Entry>({
      maxSize: options.maxBytes ?? 64 * 2 ** 20,
      sizeCalculation: (entry, key) => entry.value.length * 2 + key.length * 2 + 64,
      ttlAutopurge: false,
      dispose: (entry, key) => this.unindex(key, entry.tags),
    });
    this.invalidatedAt = new LRUCache<string, number>({
      max: options.maxTags ?? 100_000,
      dispose: (sequence, _tag, reason) => {
        if (reason === 'evict') this.floor = Math.max(this.floor, sequence);
      },
    });
  }

  async mark(): Promise<number> {
    return this.sequence;
  }

  async get(key: string): Promise<CachedValue | undefined> {
    const entry = this.entries.get(key);
    return entry ? { value: entry.value, storedAt: entry.storedAt } : undefined;
  }

  async getMany(keys: readonly string[]): Promise<(CachedValue | undefined)[]> {
    return Promise.all(keys.map((key) => this.get(key)));
  }

  async set(key: string, value: string, options: CacheSetOptions): Promise<boolean> {
    if (options.ttlMs <= 0 || options.mark < this.floor) return false;
    for (const tag of options.tags) if ((this.invalidatedAt.peek(tag) ?? 0) > options.mark) return false;
    this.entries.set(key, { value, storedAt: Date.now(), tags: options.tags }, { ttl: options.ttlMs });
    if (!this.entries.has(key)) return false; // larger than the whole cache
    for (const tag of options.tags) {
      let keys = this.index.get(tag);
      if (!keys) this.index.set(tag, (keys = new Set()));
      keys.add(key);
    }
    return true;
  }

  async invalidate(tags: readonly string[]): Promise<number> {
    const sequence = ++this.sequence;
    let removed = 0;
    for (const tag of tags) {
      this.invalidatedAt.set(tag, sequence);
      for (const key of [...(this.index.get(tag) ?? [])]) if (this.entries.delete(key)) removed++;
      this.index.delete(tag);
    }
    return removed;
  }

  async close(): Promise<void> {
    this.entries.clear();
  }

  private unindex(key: string, tags: readonly string[]): void {
    for (const tag of tags) {
      const keys = this.index.get(tag);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) this.index.delete(tag);
    }
  }
}
