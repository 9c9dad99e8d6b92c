import { AggregatorRegistry } from 'prom-client';
import type { Worker } from 'node:cluster';
import { MemoryRateLimiter } from '../ratelimit';
import { isHubMessage, type PrimaryMessage, type WorkerMessage } from './workerMessages';

/** The per-consumer rate window: limits are stated per minute (as in hubServices.ts). */
const RATE_WINDOW_MS = 60_000;

/**
 * What the primary holds for every worker and answers over IPC: the one rate window (without a
 * Redis, a consumer's limit is the limit across all workers, not N times it), the metrics of the
 * whole gateway (each worker's registry, summed by prom-client's AggregatorRegistry), and the
 * relay of events each worker must apply (cache invalidations). No request is served here.
 */
export class PrimaryServices {
  private readonly rates = new MemoryRateLimiter(RATE_WINDOW_MS);
  private readonly metrics = new AggregatorRegistry();

  constructor(private readonly workers: () => Worker[]) {}

  /** Answers one message from `from`; other messages (Node's, prom-client's) are not ours and are left alone. */
  handle(from: Worker, message: unknown): void {
    if (!isHubMessage<WorkerMessage>(message)) return;
    switch (message.cdoHub) {
      case 'rate-take': {
        const decision = this.rates.takeNow(message.key, message.weight, message.limit, Date.now());
        return reply(from, { cdoHub: 'rate-decision', id: message.id, decision });
      }
      case 'metrics':
        this.metrics.clusterMetrics().then(
          (text) =>
            reply(from, { cdoHub: 'metrics-text', id: message.id, text, contentType: this.metrics.contentType }),
          (error: Error) => reply(from, { cdoHub: 'metrics-text', id: message.id, error: error.message }),
        );
        return;
      case 'broadcast':
        for (const worker of this.workers())
          if (worker !== from) reply(worker, { cdoHub: 'broadcast', event: message.event });
        return;
    }
  }
}

function reply(worker: Worker, message: PrimaryMessage): void {
  // A worker that is gone (exiting, restarting) has nothing to be told.
  if (worker.isConnected()) worker.send(message, undefined, () => undefined);
}
