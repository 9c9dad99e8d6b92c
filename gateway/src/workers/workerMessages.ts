import type { RateDecision } from '../ratelimit';

/**
 * What a gateway's primary and its workers say to each other over the cluster's IPC channel.
 * Every message carries `cdoHub`, so the channel's other users (prom-client's metric requests,
 * Node's own cluster messages) are told apart.
 */
export type WorkerMessage =
  /** A worker counts a request against the one shared rate window, held by the primary. */
  | { cdoHub: 'rate-take'; id: number; key: string; weight: number; limit: number }
  /** A worker asks for the whole gateway's metrics, every worker's summed. */
  | { cdoHub: 'metrics'; id: number }
  /** A worker relays what every other worker must apply too (cache invalidations). */
  | { cdoHub: 'broadcast'; event: BroadcastEvent };

export type PrimaryMessage =
  | { cdoHub: 'rate-decision'; id: number; decision: RateDecision }
  | { cdoHub: 'metrics-text'; id: number; text?: string; contentType?: string; error?: string }
  | { cdoHub: 'broadcast'; event: BroadcastEvent };

/** An event one worker saw and every other must apply: cache entries purged by tag. */
export type BroadcastEvent = { kind: 'cache-invalidate'; tags: string[] };

export function isHubMessage<T extends { cdoHub: string }>(message: unknown): message is T {
  return (
    typeof message === 'object' && message !== null && typeof (message as { cdoHub?: unknown }).cdoHub === 'string'
  );
}
