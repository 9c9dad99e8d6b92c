/**
 * Where the gateway keeps cached responses and subgraph fetches (entities, root fields): an in-memory LRU by default,
 * Redis when `REDIS_URL` is set. Both implement this contract and pass the same tests.
 *
 * Invalidation is by tag (an entity `School:110108001`, a type `School`), through a tag index —
 * never by scanning keys. It is race-free against fills in flight: take a `mark()` before
 * fetching what will be stored, pass it to `set`, and the store refuses the entry if any of its
 * tags was invalidated after the mark (the fetched data may predate the change).
 */
export interface CachedValue {
  value: string;
  /** When it was stored (ms since the epoch), for the `Age` header. */
  storedAt: number;
}

export interface CacheSetOptions {
  ttlMs: number;
  tags: readonly string[];
  /** From `mark()`, taken before the data was fetched. */
  mark: number;
}

export interface CacheStore {
  readonly backend: 'memory' | 'redis';
  /** A point in the invalidation history, taken before fetching data to cache. */
  mark(): Promise<number>;
  get(key: string): Promise<CachedValue | undefined>;
  /** Several entries in one round trip, in the order of `keys`. */
  getMany(keys: readonly string[]): Promise<(CachedValue | undefined)[]>;
  /** Stores unless one of the tags was invalidated since `mark`; resolves whether it stored. */
  set(key: string, value: string, options: CacheSetOptions): Promise<boolean>;
  /** Removes every entry carrying any of the tags; resolves how many entries it removed. */
  invalidate(tags: readonly string[]): Promise<number>;
  close(): Promise<void>;
}
