import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import {
  FETCH_LAYERS,
  FetchCache,
  loadCacheRules,
  MemoryCacheStore,
  RedisCacheStore,
  ResponseCache,
  type CacheStore,
} from '../cache';
import { checkpointKey, openAuditStore, type AuditStore } from '../audit';
import type { GatewayConfig } from '../config';
import { subgraphTransport } from '../datasources';
import { HubGateway } from '../execution';
import { reportFaults, SubgraphFaults } from '../faults';
import { DisputeSync, openDisputeStore, type DisputeStore } from '../disputes';
import { GrantSync, openGrantStore, runtimeGrantInputs, type GrantStore } from '../grants';
import { createTokenVerifier, loadSecrets, type HubSecrets, type TokenVerifier } from '../identity';
import { HubMetrics } from '../metrics';
import { PolicyRuntime } from '../policy';
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from '../ratelimit';
import { openSchemaRegistry, registrySupergraph, type RegistryState, type SchemaRegistry } from '../registry';
import { loadSupergraphFile, type Supergraph } from '../supergraph';
import type { WorkerServices } from '../workers';

/** The per-consumer rate window: limits are stated per minute. */
export const RATE_WINDOW_MS = 60_000;

/**
 * What the request path runs on, opened once at start: the supergraph, the sharing policies and
 * the token check (absent in `--open` mode), the audit trail, the grant store and its sync, the
 * caches, the rate limiter, the circuit breakers and the gateway Apollo Server executes through.
 */
export interface HubServices {
  config: GatewayConfig;
  logger: Logger;
  secrets: HubSecrets;
  registry: SchemaRegistry | undefined;
  policies: PolicyRuntime | undefined;
  verify: TokenVerifier | undefined;
  grantStore: GrantStore | undefined;
  grantSync: GrantSync | undefined;
  /** Disputes over agencies' values, beside the grant store; the sync indexes the open ones and purges corrected records. */
  disputeStore: DisputeStore | undefined;
  disputeSync: DisputeSync | undefined;
  audit: AuditStore | undefined;
  cacheStore: CacheStore | undefined;
  cache: ResponseCache | undefined;
  metrics: HubMetrics;
  rateLimiter: RateLimiter;
  faults: SubgraphFaults;
  gateway: HubGateway;
  /** The cache's backend and state, as `/readyz` shows it. */
  cacheState(): { backend: string; state?: 'up' | 'down' };
  /**
   * Follows the schema registry, if the gateway serves from it: a schema published there reaches
   * this gateway within seconds (file watch or Redis pub/sub). Call once Apollo Server serves the
   * first supergraph; the registry is then read again, so a publish made while the gateway was
   * starting is not missed. Returns the unfollow.
   */
  followRegistry(): Promise<() => void>;
  /** Everything but the audit trail, which closes after Apollo Server: the last answers are recorded. */
  close(): Promise<void>;
}

export async function openHubServices(options: {
  config: GatewayConfig;
  logger: Logger;
  supergraph?: Supergraph | undefined;
  secrets?: HubSecrets | undefined;
  /** In a worker of a multi-process gateway: what it shares with the others through the primary. */
  worker?: WorkerServices | undefined;
}): Promise<HubServices> {
  const { config, logger, worker } = options;
  // The supergraph: given, or the schema registry's served one (followed from then on), or the file.
  const registry = !options.supergraph && config.followRegistry ? await openSchemaRegistry(config) : undefined;
  const registered = registry ? registrySupergraph(await registry.read(), logger) : undefined;
  let supergraph = options.supergraph ?? registered ?? loadSupergraphFile(config.supergraphFile);
  const secrets = options.secrets ?? loadSecrets({ production: config.production });
  let policies: PolicyRuntime | undefined;
  let verify: TokenVerifier | undefined;
  const grantStore = config.open ? undefined : await openGrantStore(config);
  if (!grantStore) {
    logger.warn(
      'OPEN MODE: no sharing policy is enforced; every consumer reads every field. For local subgraph development and compliance testing only.',
    );
  } else {
    // Grants approved at run time count from the first request: a malformed store stops the start.
    const sources = { policyDir: config.policyDir, consumersFile: config.consumersFile };
    const runtimeGrants = runtimeGrantInputs(await grantStore.read(), grantStore.location);
    try {
      policies = new PolicyRuntime(sources, supergraph, logger, runtimeGrants);
    } catch (error) {
      // Publishing refuses such a supergraph; should one be served anyway, start on the file rather than not at all.
      if (!registered || supergraph !== registered) throw error;
      logger.error(
        { err: error, version: registered.version },
        "the sharing policies do not compile against the schema registry's supergraph: serving the supergraph file until one they compile against is published",
      );
      supergraph = loadSupergraphFile(config.supergraphFile);
      policies = new PolicyRuntime(sources, supergraph, logger, runtimeGrants);
    }
    policies.watch();
    verify = createTokenVerifier(
      config.jwksUrl
        ? { kind: 'rs256-jwks', url: config.jwksUrl }
        : config.jwtPublicKeyFile
          ? { kind: 'rs256-key', publicKeyPem: readFileSync(config.jwtPublicKeyFile, 'utf8') }
          : { kind: 'hs256', secret: secrets.jwtSecret, previousSecrets: secrets.previousJwtSecrets ?? [] },
      { maxLifetimeSeconds: config.tokenMaxTtlSeconds },
    );
  }
  const metrics = new HubMetrics();
  // Every request that touches agency data leaves a durable record before its response goes out.
  const audit = policies
    ? await openAuditStore(config, checkpointKey(secrets.subgraphSigningKey), logger, (records, seconds) => {
        metrics.auditBatchWrite.observe(seconds);
        metrics.auditBatchRecords.observe(records);
      })
    : undefined;
  // Approvals and revocations from the CLI, the admin API or another gateway reach this one's policies and audit trail.
  // Every worker applies them; the first alone records the workflow's steps, so each step is audited once.
  const grantAudit = !worker || worker.worker.slot === 1 ? audit : undefined;
  const grantSync = policies && grantStore ? new GrantSync(grantStore, policies, grantAudit, logger) : undefined;
  await grantSync?.start();
  const ownCacheStore = policies ? await openCacheStore(config, logger) : undefined;
  const cacheStore = ownCacheStore && worker ? worker.cacheStore(ownCacheStore) : ownCacheStore;
  worker?.shareMetrics(metrics);
  // Per-consumer request rates: shared by every gateway on the cache's Redis, else by this gateway's
  // workers in their primary, else counted in this process. Always there: a consumer's own limit in
  // the consumer directory holds even when RATE_LIMIT_PER_MINUTE is 0.
  const rateLimiter: RateLimiter =
    cacheStore instanceof RedisCacheStore
      ? new RedisRateLimiter(cacheStore.client, RATE_WINDOW_MS, logger, () => cacheStore.health === 'up')
      : worker
        ? worker.rateLimiter(RATE_WINDOW_MS, logger)
        : new MemoryRateLimiter(RATE_WINDOW_MS);
  const cacheRules = cacheStore ? loadCacheRules(config.cacheRulesFile) : undefined;
  // The response cache is also the handle for invalidations (admin, change events): both layers share the store and its tags.
  const cache = cacheStore
    ? new ResponseCache(cacheStore, cacheRules!, logger, metrics, config.cacheLayers.has('response'))
    : undefined;
  const fetchLayers = new Set(FETCH_LAYERS.filter((layer) => config.cacheLayers.has(layer)));
  const fetchCache =
    cacheStore && fetchLayers.size ? new FetchCache(cacheStore, cacheRules!, fetchLayers, logger, metrics) : undefined;
  // A dispute answered `corrected` (CLI, admin API, another gateway) purges its record from every cache layer.
  const disputeStore = policies && grantStore ? await openDisputeStore(config) : undefined;
  const disputeSync = disputeStore
    ? new DisputeSync(disputeStore, cache ? (refs) => cache.invalidate(refs, 'dispute') : undefined, logger)
    : undefined;
  await disputeSync?.start();
  const health = (): 'up' | 'down' => (cacheStore instanceof RedisCacheStore ? cacheStore.health : 'up');
  if (cacheStore) {
    metrics.cacheUp.set({ backend: cacheStore.backend }, health() === 'up' ? 1 : 0);
    if (cacheStore instanceof RedisCacheStore)
      cacheStore.onHealthChange((state) => metrics.cacheUp.set({ backend: 'redis' }, state === 'up' ? 1 : 0));
  }
  // One circuit per subgraph for the gateway's lifetime: a supergraph switch keeps what is known.
  const faults = new SubgraphFaults(config.circuit, reportFaults(metrics, logger));
  const gateway = new HubGateway({
    faults,
    ...(cache ? { cache } : {}),
    ...(fetchCache ? { fetchCache } : {}),
    supergraph,
    logger,
    subgraphUrls: config.subgraphUrls,
    ...(policies ? { policies } : {}),
    onDenied: config.onDenied,
    maskHashKey: secrets.maskHashKey,
    subgraphSigningKey: secrets.subgraphSigningKey,
    subgraphTimeoutMs: config.subgraphTimeoutMs,
    subgraphTimeouts: config.subgraphTimeouts,
    shareCallsInFlight: config.shareSubgraphCallsInFlight,
    subgraphTransport: subgraphTransport(config.subgraphCaFile),
  });
  return {
    config,
    logger,
    secrets,
    registry,
    policies,
    verify,
    grantStore,
    grantSync,
    disputeStore,
    disputeSync,
    audit,
    cacheStore,
    cache,
    metrics,
    rateLimiter,
    faults,
    gateway,
    async followRegistry() {
      if (!registry) return () => undefined;
      const follow = (state: RegistryState) => {
        const next = registrySupergraph(state, logger);
        if (next && next.version !== gateway.supergraph.version) void gateway.switchTo(next);
      };
      const unwatch = registry.watch(follow);
      follow(await registry.read());
      return unwatch;
    },
    cacheState: () => (cacheStore ? { backend: cacheStore.backend, state: health() } : { backend: 'off' }),
    async close() {
      policies?.close();
      grantSync?.close();
      disputeSync?.close();
      await disputeStore?.close();
      await registry?.close();
      await grantStore?.close();
      await cacheStore?.close();
    },
  };
}

/** Responses cached per view (memory by default, Redis with REDIS_URL); never in --open mode. */
async function openCacheStore(config: GatewayConfig, logger: Logger): Promise<CacheStore | undefined> {
  if (config.cache === 'off') return undefined;
  if (config.cache !== 'redis') return new MemoryCacheStore({ maxBytes: config.cacheMaxBytes });
  const target =
    config.redisMode === 'sentinel'
      ? {
          mode: 'sentinel' as const,
          sentinels: config.redisSentinels ?? [],
          name: config.redisSentinelName ?? 'mymaster',
        }
      : config.redisMode === 'cluster'
        ? { mode: 'cluster' as const, urls: config.redisUrl!.split(',') }
        : { mode: 'single' as const, url: config.redisUrl! };
  const redisStore = RedisCacheStore.open(target, { commandTimeoutMs: config.cacheTimeoutMs, logger });
  // A short wait at start so the first requests can use a Redis that is there; a Redis that is not does not hold the start up.
  if ((await redisStore.waitUntilUp(2000)) === 'down')
    logger.warn('cache Redis not reachable at start: answering from the subgraphs until it is');
  return redisStore;
}
