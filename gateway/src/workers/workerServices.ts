import { AggregatorRegistry } from 'prom-client';
import type { Logger } from 'pino';
import type { CacheStore } from '../cache';
import type { HubMetrics } from '../metrics';
import type { RateLimiter } from '../ratelimit';
import { BroadcastCacheStore } from './broadcastCacheStore';
import { PrimaryChannel } from './primaryChannel';
import { PrimaryRateLimiter } from './primaryRateLimiter';
import type { GatewayWorker } from './workerCount';

/** How long a worker waits for the primary's sum of every worker's metrics. */
const METRICS_TIMEOUT_MS = 5_000;

/**
 * What a worker of a multi-process gateway shares with the others, through its primary: the rate
 * window (without Redis), cache invalidations (with the memory cache), and `/metrics` for the
 * whole gateway. Everything else is the worker's own (see docs/adr/0013-gateway-workers.md).
 */
export class WorkerServices {
  private readonly channel = new PrimaryChannel();

  constructor(readonly worker: GatewayWorker) {}

  /** The one rate window in the primary, for workers without a shared Redis. */
  rateLimiter(windowMs: number, logger: Logger): RateLimiter {
    return new PrimaryRateLimiter(this.channel, windowMs, logger);
  }

  /** A memory cache store whose invalidations reach every worker; a Redis store is shared already. */
  cacheStore(store: CacheStore): CacheStore {
    return store.backend === 'memory' ? new BroadcastCacheStore(store, this.channel) : store;
  }

  /** `/metrics` answers for every worker: this one's registry is summed with the others' in the primary. */
  shareMetrics(metrics: HubMetrics): void {
    // Constructed in the worker, prom-client answers the primary's requests with these registries.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([metrics.promRegistry]);
    metrics.exposeWith(async () => {
      const answer = await this.channel.request({ cdoHub: 'metrics' }, METRICS_TIMEOUT_MS);
      if (answer.cdoHub !== 'metrics-text' || answer.text === undefined)
        throw new Error(
          `the gateway primary could not sum the workers' metrics: ${'error' in answer ? answer.error : answer.cdoHub}`,
        );
      return { contentType: answer.contentType ?? metrics.promRegistry.contentType, text: answer.text };
    });
  }
}
