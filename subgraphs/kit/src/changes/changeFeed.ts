import { CHANGES_CHANNEL, signChangeEvent, type ChangeEvent, type SigningKeys } from '@cdo-hub/contracts';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AgencyDatabase } from '../database';
import { markPublished, pendingChanges } from './changeCapture';

/** Where change events go: the gateways over HTTP (embedded default), or Redis pub/sub. */
export interface ChangePublisher {
  publish(event: ChangeEvent): Promise<void>;
  close(): Promise<void>;
}

/**
 * Posts each event to every gateway URL, signed under every key the agency holds (a gateway on the
 * old key accepts it during a rotation); an event counts as sent once all accepted it.
 */
export class HttpChangePublisher implements ChangePublisher {
  constructor(
    private readonly gatewayUrls: readonly string[],
    private readonly signingKeys: SigningKeys,
    private readonly timeoutMs = 2000,
  ) {}

  async publish(event: ChangeEvent): Promise<void> {
    await Promise.all(
      this.gatewayUrls.map(async (url) => {
        const { body, headers } = signChangeEvent(this.signingKeys, event);
        const response = await fetch(`${url.replace(/\/(graphql)?$/, '')}/internal/changes`, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (!response.ok) throw new Error(`${url} refused the change event: ${response.status}`);
      }),
    );
  }

  async close(): Promise<void> {}
}

/**
 * Follows the agency's captured changes and publishes them, at least once, in order: the cursor
 * moves only after a publish succeeded, so changes made while the gateway (or the subgraph) was
 * down are sent when both are back. Repeated refs within a batch are sent once.
 */
export class ChangeFeed {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private failing = false;

  constructor(
    private readonly agency: string,
    private readonly db: AgencyDatabase,
    private readonly publisher: ChangePublisher,
    private readonly logger: Logger,
    private readonly intervalMs = 200,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
    void this.poll();
  }

  /** Publishes what is pending now (also used by tests and at shutdown). */
  poll(): Promise<void> {
    this.running ??= this.publishPending().finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.poll().catch(() => undefined);
    await this.publisher.close();
  }

  private async publishPending(): Promise<void> {
    const changes = pendingChanges(this.db);
    if (!changes.length) return;
    const refs = new Map<string, { type: string; key?: string }>();
    for (const change of changes)
      refs.set(`${change.type}|${change.key ?? ''}`, {
        type: change.type,
        ...(change.key !== null ? { key: change.key } : {}),
      });
    try {
      await this.publisher.publish({ agency: this.agency, changes: [...refs.values()] });
      markPublished(this.db, changes[changes.length - 1]!.id);
      if (this.failing) this.logger.info('change events reach the gateways again');
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.logger.warn({ err: error }, 'change events not delivered; retrying');
      this.failing = true;
    }
  }
}

/** Redis pub/sub: every gateway subscribed to the channel hears every event. */
export class RedisChangePublisher implements ChangePublisher {
  private readonly redis: Redis;

  constructor(url: string) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 2000 });
    this.redis.on('error', () => undefined); // surfaced as failed publishes, retried by the feed
  }

  async publish(event: ChangeEvent): Promise<void> {
    await this.redis.publish(CHANGES_CHANNEL, JSON.stringify(event));
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
