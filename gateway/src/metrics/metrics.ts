import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The gateway's Prometheus metrics (`GET /metrics`), one registry per gateway server so tests and
 * several servers in one process never share counters.
 */
export class HubMetrics {
  // prom-client's registry stays in this folder: elsewhere "registry" is the schema registry.
  private readonly registry = new Registry();
  readonly cacheRequests = new Counter({
    name: 'cdo_hub_cache_requests_total',
    help: 'Cache lookups by layer and result (hit, miss, bypass).',
    labelNames: ['layer', 'result'] as const,
    registers: [this.registry],
  });
  readonly cacheInvalidations = new Counter({
    name: 'cdo_hub_cache_invalidations_total',
    help: 'Cache invalidations by source (admin, change event), with the entries they removed in cdo_hub_cache_invalidated_entries_total.',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
  readonly cacheInvalidatedEntries = new Counter({
    name: 'cdo_hub_cache_invalidated_entries_total',
    help: 'Cached entries removed by invalidations.',
    registers: [this.registry],
  });
  readonly cacheLatency = new Histogram({
    name: 'cdo_hub_cache_operation_seconds',
    help: 'Time spent on cache reads and writes.',
    labelNames: ['layer', 'operation'] as const,
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5],
    registers: [this.registry],
  });
  readonly cacheUp = new Gauge({
    name: 'cdo_hub_cache_up',
    help: '1 when the cache store is reachable, 0 when the gateway answers without it.',
    labelNames: ['backend'] as const,
    // Summed over a gateway's workers (GATEWAY_WORKERS), a 1 per worker would mean nothing: up only if up in every worker.
    aggregator: 'min',
    registers: [this.registry],
  });
  // Subgraphs are the supergraph's, consumers the consumer directory's: both label sets are bounded.
  readonly subgraphFetchLatency = new Histogram({
    name: 'cdo_hub_subgraph_fetch_seconds',
    help: 'Duration of the calls sent to each subgraph, by outcome (ok: the subgraph answered, GraphQL errors included; error: it did not).',
    labelNames: ['subgraph', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly subgraphErrors = new Counter({
    name: 'cdo_hub_subgraph_errors_total',
    help: 'Subgraph calls that failed or were not sent, by reason (timeout, unreachable, http-<status>, circuit-open).',
    labelNames: ['subgraph', 'reason'] as const,
    registers: [this.registry],
  });
  readonly subgraphCircuitState = new Gauge({
    name: 'cdo_hub_subgraph_circuit_state',
    help: "1 for the state each subgraph's circuit is in (closed, open, half-open), 0 for the others.",
    labelNames: ['subgraph', 'state'] as const,
    // Over a gateway's workers: 1 when the circuit is in that state in any of them.
    aggregator: 'max',
    registers: [this.registry],
  });
  readonly subgraphCircuitTransitions = new Counter({
    name: 'cdo_hub_subgraph_circuit_transitions_total',
    help: "Changes of each subgraph's circuit, by the state entered.",
    labelNames: ['subgraph', 'state'] as const,
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'cdo_hub_rate_limited_total',
    help: 'Requests refused with 429 because their consumer was over its rate limit (the public: `public`, counted per address).',
    labelNames: ['consumer'] as const,
    registers: [this.registry],
  });
  readonly consumerRequests = new Counter({
    name: 'cdo_hub_consumer_requests_total',
    help: 'GraphQL operations by consumer (from the consumer directory; `unidentified` in open mode) and outcome: ok, partial (data with errors), refused (no data).',
    labelNames: ['consumer', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly consumerRequestLatency = new Histogram({
    name: 'cdo_hub_consumer_request_seconds',
    help: 'Duration of GraphQL operations by consumer, from the start of the operation to its response.',
    labelNames: ['consumer'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly httpResponses = new Counter({
    name: 'cdo_hub_http_responses_total',
    help: "The gateway's HTTP answers by status class (2xx, 3xx, 4xx, 5xx), every route included.",
    labelNames: ['status_class'] as const,
    registers: [this.registry],
  });
  readonly auditWait = new Histogram({
    name: 'cdo_hub_audit_wait_seconds',
    help: 'How long an answer waited for its audit record to be durable (responses never leave before it is).',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5],
    registers: [this.registry],
  });
  readonly auditBatchWrite = new Histogram({
    name: 'cdo_hub_audit_batch_seconds',
    help: 'Durable writes of the audit store: each batch of records (one write and its sync, or one Redis transaction).',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5],
    registers: [this.registry],
  });
  readonly auditBatchRecords = new Histogram({
    name: 'cdo_hub_audit_batch_records',
    help: 'Records per durable write of the audit store (group commit: records arriving during a write share the next).',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 512],
    registers: [this.registry],
  });

  private source: () => Promise<{ contentType: string; text: string }> = async () => ({
    contentType: this.registry.contentType,
    text: await this.registry.metrics(),
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'cdo_hub_' });
  }

  /** What `GET /metrics` serves: this registry, or — in a worker of several — the whole gateway's. */
  exposition(): Promise<{ contentType: string; text: string }> {
    return this.source();
  }

  /** prom-client's registry itself, for the workers' aggregation across processes only (`workers/`). */
  get promRegistry(): Registry {
    return this.registry;
  }

  /** Serve another exposition (a worker's: every worker's registry summed by the primary). */
  exposeWith(source: () => Promise<{ contentType: string; text: string }>): void {
    this.source = source;
  }
}
