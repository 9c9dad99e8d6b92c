import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The gateway's Prometheus metrics (`GET /metrics`), one registry per gateway server so tests and
 * several servers in one process never share counters.
 */
export class HubMetrics {
  readonly registry = new Registry();
  readonly cacheRequests = new Counter({ name: 'cdo_hub_cache_requests_total', help: 'Cache lookups by layer and result (hit, miss, bypass).', labelNames: ['layer', 'result'] as const, registers: [this.registry] });
  readonly cacheInvalidations = new Counter({ name: 'cdo_hub_cache_invalidations_total', help: 'Cache invalidations by source (admin, change event), with the entries they removed in cdo_hub_cache_invalidated_entries_total.', labelNames: ['source'] as const, registers: [this.registry] });
  readonly cacheInvalidatedEntries = new Counter({ name: 'cdo_hub_cache_invalidated_entries_total', help: 'Cached entries removed by invalidations.', registers: [this.registry] });
  readonly cacheLatency = new Histogram({ name: 'cdo_hub_cache_operation_seconds', help: 'Time spent on cache reads and writes.', labelNames: ['layer', 'operation'] as const, buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5], registers: [this.registry] });
  readonly cacheUp = new Gauge({ name: 'cdo_hub_cache_up', help: '1 when the cache store is reachable, 0 when the gateway answers without it.', labelNames: ['backend'] as const, registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'cdo_hub_' });
  }
}
