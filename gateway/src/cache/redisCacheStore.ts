import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { CachedValue, CacheSetOptions, CacheStore } from './cacheStore';

// Every key shares the hash tag {c}, so the scripts below touch one Cluster slot.
const PREFIX = 'cdo-hub:cache:{c}';
const SEQUENCE = `${PREFIX}:seq`;
const INVALIDATED = `${PREFIX}:inv`;
const entryKey = (key: string) => `${PREFIX}:e:${key}`;
const tagKey = (tag: string) => `${PREFIX}:t:${tag}`;

// KEYS: sequence, invalidation hash, entry, tag sets…; ARGV: mark, ttl ms, value, stored-at, tags…
const SET_SCRIPT = `
local mark = tonumber(ARGV[1])
for i = 5, #ARGV do
  local at = redis.call('HGET', KEYS[2], ARGV[i])
  if at and tonumber(at) > mark then return 0 end
end
redis.call('SET', KEYS[3], ARGV[4] .. '|' .. ARGV[3], 'PX', ARGV[2])
for i = 4, #KEYS do
  redis.call('SADD', KEYS[i], KEYS[3])
  if redis.call('PTTL', KEYS[i]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
end
return 1`;

// KEYS: sequence, invalidation hash, tag sets…; ARGV: tags…
const INVALIDATE_SCRIPT = `
local sequence = redis.call('INCR', KEYS[1])
local removed = 0
for i = 3, #KEYS do
  redis.call('HSET', KEYS[2], ARGV[i - 2], sequence)
  local members = redis.call('SMEMBERS', KEYS[i])
  for _, key in ipairs(members) do removed = removed + redis.call('DEL', key) end
  redis.call('DEL', KEYS[i])
end
return removed`;

export type CacheHealth = 'up' | 'down';

/**
 * The shared cache on Redis (`REDIS_URL`): gateways sharing one Redis reuse each other's entries
 * and invalidations. Entries are strings with a TTL; each tag is a set of entry keys; a Lua script
 * stores an entry only if none of its tags was invalidated after the fill's mark, another
 * invalidates tags atomically. Commands time out quickly and fail instead of queueing while Redis
 * is away, so a slow or absent Redis costs a cache miss, never a failed request.
 */
export class RedisCacheStore implements CacheStore {
  readonly backend = 'redis' as const;
  private state: CacheHealth = 'down';
  private readonly listeners = new Set<(state: CacheHealth) => void>();

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly logger?: Logger,
  ) {
    redis.on('ready', () => this.transition('up'));
    redis.on('end', () => this.transition('down'));
    redis.on('close', () => this.transition('down'));
    redis.on('error', () => this.transition('down'));
    if (redis.status === 'ready') this.state = 'up';
  }

  static connect(
    url: string,
    options: { commandTimeoutMs?: number; logger?: Logger; redis?: RedisOptions } = {},
  ): RedisCacheStore {
    return RedisCacheStore.open({ mode: 'single', url }, options);
  }

  /**
   * One server (`redis://…`), a Cluster (its node URLs; every key shares the hash tag `{c}`, so the
   * scripts run in one slot), or a master found through Sentinels.
   */
  static open(
    target:
      | { mode: 'single'; url: string }
      | { mode: 'cluster'; urls: string[] }
      | { mode: 'sentinel'; sentinels: { host: string; port: number }[]; name: string },
    options: { commandTimeoutMs?: number; logger?: Logger; redis?: RedisOptions } = {},
  ): RedisCacheStore {
    const settings: RedisOptions = {
      commandTimeout: options.commandTimeoutMs ?? 100,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      ...options.redis,
    };
    if (target.mode === 'cluster') {
      const nodes = target.urls.map((url) => ({
        host: new URL(url).hostname,
        port: Number(new URL(url).port || 6379),
      }));
      return new RedisCacheStore(
        new Cluster(nodes, {
          enableOfflineQueue: false,
          redisOptions: settings,
          clusterRetryStrategy: (attempt) => Math.min(attempt * 200, 2000),
        }),
        options.logger,
      );
    }
    if (target.mode === 'sentinel')
      return new RedisCacheStore(
        new Redis({ ...settings, sentinels: target.sentinels, name: target.name }),
        options.logger,
      );
    return new RedisCacheStore(new Redis(target.url, settings), options.logger);
  }

  get health(): CacheHealth {
    return this.state;
  }

  /** The connection, for other short-lived shared counters (per-consumer rate limits) that may live beside the cache. */
  get client(): Redis | Cluster {
    return this.redis;
  }

  /** Resolves once connected, or after `timeoutMs` — whichever comes first (the gateway starts either way). */
  async waitUntilUp(timeoutMs: number): Promise<CacheHealth> {
    if (this.state === 'up') return this.state;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const stop = this.onHealthChange((state) => state === 'up' && done());
      function done() {
        clearTimeout(timer);
        stop();
        resolve();
      }
    });
    return this.state;
  }

  onHealthChange(listener: (state: CacheHealth) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async mark(): Promise<number> {
    return Number((await this.redis.get(SEQUENCE)) ?? 0);
  }

  async get(key: string): Promise<CachedValue | undefined> {
    return decodeEntry(await this.redis.get(entryKey(key)));
  }

  async getMany(keys: readonly string[]): Promise<(CachedValue | undefined)[]> {
    if (!keys.length) return [];
    // One slot (the `{c}` hash tag), so one MGET also on a Cluster.
    return (await this.redis.mget(keys.map(entryKey))).map(decodeEntry);
  }

  async set(key: string, value: string, options: CacheSetOptions): Promise<boolean> {
    if (options.ttlMs <= 0) return false;
    const keys = [SEQUENCE, INVALIDATED, entryKey(key), ...options.tags.map(tagKey)];
    const stored = await this.redis.eval(
      SET_SCRIPT,
      keys.length,
      ...keys,
      options.mark,
      Math.ceil(options.ttlMs),
      value,
      Date.now(),
      ...options.tags,
    );
    return stored === 1;
  }

  async invalidate(tags: readonly string[]): Promise<number> {
    if (!tags.length) return 0;
    const keys = [SEQUENCE, INVALIDATED, ...tags.map(tagKey)];
    return Number(await this.redis.eval(INVALIDATE_SCRIPT, keys.length, ...keys, ...tags));
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private transition(next: CacheHealth): void {
    if (next === this.state) return;
    this.state = next;
    if (next === 'down') this.logger?.warn('cache Redis unavailable: answering from the subgraphs until it is back');
    else this.logger?.info('cache Redis available again');
    for (const listener of this.listeners) listener(next);
  }
}

/** Entries are stored as `<storedAt>|<value>`. */
function decodeEntry(raw: string | null): CachedValue | undefined {
  if (raw === null) return undefined;
  const bar = raw.indexOf('|');
  return { storedAt: Number(raw.slice(0, bar)), value: raw.slice(bar + 1) };
}
