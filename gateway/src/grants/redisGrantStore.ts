import { Redis } from 'ioredis';
import { redisDurabilityProblems } from '../audit';
import { emptyGrantStore, parseGrantStoreState, type GrantStore } from './grantStore';
import type { GrantStoreState } from './model';

const STATE_KEY = 'cdo-hub:grants:{store}:state';
const CHANNEL = 'cdo-hub:grants:changed';

/**
 * The grant store on Redis (`GRANT_STORE_REDIS_URL`), for several gateways on several machines.
 * The state is one JSON value changed by optimistic transactions (WATCH/MULTI/EXEC, retried on a
 * concurrent change); a change is announced on a pub/sub channel, and watchers also poll the
 * revision every few seconds so a missed message only delays a reload. Like the audit Redis, the
 * server must never evict and must persist every write: a lost revocation would bring a grant back.
 */
export class RedisGrantStore implements GrantStore {
  private subscriber: Redis | undefined;
  /** WATCH belongs to the connection: this process's changes go one at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly redis: Redis,
    private readonly url: string,
  ) {}

  static async open(url: string, options: { allowEverysec?: boolean } = {}): Promise<RedisGrantStore> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, connectTimeout: 5000 });
    try {
      await redis.connect();
      const problems = await redisDurabilityProblems(redis, options.allowEverysec ?? false);
      if (problems.length) throw new Error(`the grant store Redis could lose grants or revocations:\n  ${problems.join('\n  ')}`);
      return new RedisGrantStore(redis, url);
    } catch (error) {
      redis.disconnect();
      throw error;
    }
  }

  get location(): string {
    return `${this.url.replace(/\/\/[^@/]*@/, '//***@')}#${STATE_KEY}`;
  }

  async read(): Promise<GrantStoreState> {
    const text = await this.redis.get(STATE_KEY);
    return text ? parseGrantStoreState(JSON.parse(text), this.location) : emptyGrantStore();
  }

  update<T>(change: (state: GrantStoreState) => { state: GrantStoreState; result: T }): Promise<T> {
    const run = this.queue.then(() => this.transact(change));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async transact<T>(change: (state: GrantStoreState) => { state: GrantStoreState; result: T }): Promise<T> {
    for (let attempt = 0; attempt < 50; attempt++) {
      await this.redis.watch(STATE_KEY);
      let outcome: { state: GrantStoreState; result: T };
      let current: GrantStoreState;
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
      const committed = await this.redis.multi().set(STATE_KEY, JSON.stringify(next)).publish(CHANNEL, String(next.revision)).exec();
      if (committed) return outcome.result; // null: another writer changed the state first; try again
    }
    throw new Error('the grant store is too busy: gave up after 50 concurrent changes');
  }

  watch(listener: (state: GrantStoreState) => void): () => void {
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
    void subscriber.subscribe(CHANNEL).catch(() => undefined);
    const onMessage = (channel: string) => channel === CHANNEL && !stopped && void check();
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
