import type { Logger } from 'pino';
import type { EntityRef } from '../cache';
import type { DisputeStore } from './disputeStore';
import { NO_OPEN_DISPUTES, openDisputeIndex, type OpenDisputeIndex } from './disputeNotices';
import type { DisputeStoreState } from './model';

/** Purges every cached answer and fetch holding these entities; resolves how many entries went. */
export type EntityInvalidation = (refs: readonly EntityRef[]) => Promise<number>;

/**
 * Keeps a gateway in step with the dispute store: on every change (its admin API, the CLI,
 * another gateway) the open disputes are indexed again for the answers that name them, and every
 * dispute answered `corrected` since the last look has its record purged from the caches — the
 * agency has changed the value, so no cache may serve the old one. At start every correction in
 * the store is purged once (a shared Redis cache may have outlived a correction made while no
 * gateway ran).
 */
export class DisputeSync {
  private index: OpenDisputeIndex = NO_OPEN_DISPUTES;
  private readonly purged = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  private unwatch: (() => void) | undefined;

  constructor(
    private readonly store: DisputeStore,
    private readonly invalidate: EntityInvalidation | undefined,
    private readonly logger: Logger,
  ) {}

  /** The open disputes, as last read. */
  get open(): OpenDisputeIndex {
    return this.index;
  }

  async start(): Promise<void> {
    await this.sync(await this.store.read());
    this.unwatch = this.store.watch((state) => void this.sync(state));
  }

  /** Applies a state (the store's latest when none is given); one at a time, in order. */
  sync(state?: DisputeStoreState): Promise<void> {
    this.queue = this.queue
      .then(async () => this.apply(state ?? (await this.store.read())))
      .catch((error: unknown) => this.logger.error({ err: error }, 'dispute store sync failed'));
    return this.queue;
  }

  close(): void {
    this.unwatch?.();
  }

  private async apply(state: DisputeStoreState): Promise<void> {
    this.index = openDisputeIndex(state.disputes);
    const corrected = state.disputes.filter((d) => d.answer?.outcome === 'corrected' && !this.purged.has(d.id));
    if (!corrected.length || !this.invalidate) return;
    const refs = corrected.map((d) => ({ type: d.coordinate.split('.')[0]!, key: d.key }));
    const removed = await this.invalidate(refs);
    for (const d of corrected) this.purged.add(d.id);
    this.logger.info({ disputes: corrected.map((d) => d.id), removed }, 'corrected values purged from the caches');
  }
}
