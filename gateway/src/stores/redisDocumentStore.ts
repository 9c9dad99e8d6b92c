import { Redis } from 'ioredis';
import { redisDurabilityProblems } from './redisDurability';
import type { DocumentKind, DocumentStore, Revisioned } from './documentStore';

/**
 * A document store on Redis, for several gateways on several machines. The state is one JSON
 * value changed by optimistic transactions (WATCH/MULTI/EXEC, retried on a concurrent change); a
 * change is announced on a pub/sub channel, and watchers also poll the revision every few seconds
 * so a missed message only delays a reload. Like the audit Redis, the server must never evict and
 * must persist every write: a lost write would bring back a revoked grant or an old schema.
 */
export class RedisDocumentStore<S extends Revisioned> implements DocumentStore<S> {
  private subscriber: Redis | undefined;
  /** WATCH belongs to the connection: this process's changes go one at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  protected constructor(
    private readonly redis: Redis,
    private readonly url: string,
    private readonly kind: DocumentKind<S>,
  ) {}

  /** Connects and refuses a Redis that could lose the document (eviction, no or lax persistence). */
  static async connect<S extends Revisioned>(
    url: string,
    kind: DocumentKind<S>,
    options: { allowEverysec?: boolean } = {},
  ): Promise<Redis> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, connectTimeout: 5000 });
    try {
      await redis.connect();
      const problems = await redisDurabilityProblems(redis, options.allowEverysec ?? false);
      if (problems.length) throw new Error(`the ${kind.name} Redis could lose changes:\n  ${problems.join('\n  ')}`);
      return redis;
    } catch (error) {
      redis.disconnect();
      throw error;
    }
  }

  static async open<S extends Revisioned>(
    url: string,
    kind: DocumentKind<S>,
    options: { allowEverysec?: boolean } = {},
  ): Promise<RedisDocumentStore<S>> {
    return new RedisDocumentStore(await RedisDocumentStore.connect(url, kind, options), url, kind);
  }

  get location(): string {
    return `${this.url.replace(/\/\/[^@/]*@/, '//***@')}#${this.kind.redisKey}`;
  }

  async read(): Promise<S> {
    const text = await this.redis.get(this.kind.redisKey);
    return text ? this.kind.parse(JSON.parse(text), this.location) : this.kind.empty();
  }

  update<T>(change: (state: S) => { state: S; result: T }): Promise<T> {
    const run = this.queue.then(() => this.transact(change));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async transact<T>(change: (state: S) => { state: S; result: T }): Promise<T> {
    for (let attempt = 0; attempt < 50; attempt++) {
      await this.redis.watch(this.kind.redisKey);
      let outcome: { state: S; result: T };
      let current: S;
      try {
        current = await this.read();
        outcome = change(current);
      } catch (error) {
        await this.redis.unwatch();
        throw error;
      }
      if (outcome.state === current) {
        await this.redis.unwatch();
        return outcome.result;
      }
      const next = { ...outcome.state, revision: current.revision + 1 };
      const committed = await this.redis
        .multi()
        .set(this.kind.redisKey, JSON.stringify(next))
        .publish(this.kind.redisChannel, String(next.revision))
        .exec();
      if (committed) return outcome.result; // null: another writer changed the state first; try again
    }
    throw new Error(`the ${this.kind.name} is too busy: gave up after 50 concurrent changes`);
  }

  watch(listener: (state: S) => void): () => void {
    let revision = -1;
    let stopped = false;
    const check = async () => {
      try {
        const state = await this.read();
        if (state.revision !== revision) {
          const first = revision === -1;
          revision = state.revision;
          if (!first) listener(state);
        }
      } catch {
        // unreachable or malformed: the last good state stays in force
      }
    };
    void check();
    this.subscriber ??= this.redis.duplicate();
    const subscriber = this.subscriber;
    void subscriber.subscribe(this.kind.redisChannel).catch(() => undefined);
    const onMessage = (channel: string) => channel === this.kind.redisChannel && !stopped && void check();
    subscriber.on('message', onMessage);
    const poll = setInterval(() => void check(), 2000);
    poll.unref();
    return () => {
      stopped = true;
      clearInterval(poll);
      subscriber.off('message', onMessage);
    };
  }

  async close(): Promise<void> {
    this.subscriber?.disconnect();
    this.redis.disconnect();
  }
}
