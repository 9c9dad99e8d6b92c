import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import fastifyApollo from '@as-integrations/fastify';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { FETCH_LAYERS, FetchCache, loadCacheRules, MemoryCacheStore, RedisCacheStore, ResponseCache, type CacheOutcome, type CacheStore } from '../cache';
import { auditEntry, checkpointKey, JsonlAuditLog, RedisStreamAuditLog, type AuditStore } from '../audit';
import type { GatewayConfig } from '../config';
import { answerClientError, ERROR_CATALOGUE, installHttpErrorHandlers, isErrorCode, requestError, shapeError } from '../errors';
import { HubGateway, type GatewayContext } from '../execution';
import { assessReadiness, probeSubgraph } from '../health';
import { createTokenVerifier, identify, loadSecrets, type HubSecrets, type TokenVerifier } from '../identity';
import { createLogger } from '../logging';
import { GrantService, openGrantStore, GrantSync, loadWorkCalendar, policyGrantChecker, runtimeGrantInputs } from '../grants';
import { PolicyRuntime } from '../policy';
import { Redis } from 'ioredis';
import { HubMetrics } from '../metrics';
import { CHANGE_SIGNATURE_HEADER, CHANGES_CHANNEL, verifyChangeEvent, type ChangeEvent } from '../signing';
import { registerAdminRoutes, registerCacheAdminRoutes } from './adminRoutes';
import { registerCatalogRoutes } from '../catalog';
import { registerPlaygroundRoutes } from '../playground';
import { loadSupergraphFile, type Supergraph } from '../supergraph';
import { openSchemaRegistry, registrySupergraph, type RegistryState } from '../registry';
import { KnownOperationTypesRule } from '../validation';

export interface GatewayServer {
  app: FastifyInstance;
  gateway: HubGateway;
  logger: Logger;
  /** The GraphQL endpoint, once listening. */
  url: string;
  close(): Promise<void>;
}

export interface GatewayServerOptions {
  config: GatewayConfig;
  logger?: Logger;
  /** Use this supergraph instead of reading `config.supergraphFile`. */
  supergraph?: Supergraph;
  /** Use these secrets instead of loading them (tests). */
  secrets?: HubSecrets;
}

/**
 * The gateway's HTTP face: `POST|GET /graphql` through Apollo Server, `GET /healthz` (the process
 * is alive) and `GET /readyz` (a supergraph is loaded and every subgraph answers).
 */
export async function createGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  // The supergraph: given, or the schema registry's served one (followed from then on), or the file.
  const registry = !options.supergraph && config.followRegistry ? await openSchemaRegistry(config) : undefined;
  const registered = registry ? registrySupergraph(await registry.read(), logger) : undefined;
  let supergraph = options.supergraph ?? registered ?? loadSupergraphFile(config.supergraphFile);
  const secrets = options.secrets ?? loadSecrets({ production: config.production });
  let policies: PolicyRuntime | undefined;
  let verify: TokenVerifier | undefined;
  const grantStore = config.open ? undefined : await openGrantStore(config);
  if (config.open) {
    logger.warn('OPEN MODE: no sharing policy is enforced; every consumer reads every field. For local subgraph development and compliance testing only.');
  } else {
    // Grants approved at run time count from the first request: a malformed store stops the start.
    const sources = { policyDir: config.policyDir, consumersFile: config.consumersFile };
    const runtimeGrants = runtimeGrantInputs(await grantStore!.read(), grantStore!.location);
    try {
      policies = new PolicyRuntime(sources, supergraph, logger, runtimeGrants);
    } catch (error) {
      // Publishing refuses such a supergraph; should one be served anyway, start on the file rather than not at all.
      if (!registered || supergraph !== registered) throw error;
      logger.error({ err: error, version: registered.version }, "the sharing policies do not compile against the schema registry's supergraph: serving the supergraph file until one they compile against is published");
      supergraph = loadSupergraphFile(config.supergraphFile);
      policies = new PolicyRuntime(sources, supergraph, logger, runtimeGrants);
    }
    policies.watch();
    verify = createTokenVerifier(
      config.jwksUrl
        ? { kind: 'rs256-jwks', url: config.jwksUrl }
        : config.jwtPublicKeyFile
          ? { kind: 'rs256-key', publicKeyPem: readFileSync(config.jwtPublicKeyFile, 'utf8') }
          : { kind: 'hs256', secret: secrets.jwtSecret },
    );
  }
  // Every request that touches agency data leaves a durable record before its response goes out.
  const audit: AuditStore | undefined = !policies
    ? undefined
    : config.auditRedisUrl
      ? await RedisStreamAuditLog.open(config.auditRedisUrl, { signingKey: checkpointKey(secrets.subgraphSigningKey), instance: config.auditInstance, allowEverysec: config.auditRedisAllowEverysec, logger })
      : await JsonlAuditLog.open(config.auditDir, { signingKey: checkpointKey(secrets.subgraphSigningKey) });
  // Approvals and revocations from the CLI, the admin API or another gateway reach this one's policies and audit trail.
  const grantSync = policies && grantStore ? new GrantSync(grantStore, policies, audit, logger) : undefined;
  await grantSync?.start();
  // Responses cached per view (memory by default, Redis with REDIS_URL); never in --open mode.
  let cacheStore: CacheStore | undefined;
  if (policies && config.cache !== 'off') {
    if (config.cache === 'redis') {
      const target =
        config.redisMode === 'sentinel'
          ? { mode: 'sentinel' as const, sentinels: config.redisSentinels ?? [], name: config.redisSentinelName ?? 'mymaster' }
          : config.redisMode === 'cluster'
            ? { mode: 'cluster' as const, urls: config.redisUrl!.split(',') }
            : { mode: 'single' as const, url: config.redisUrl! };
      const redisStore = RedisCacheStore.open(target, { commandTimeoutMs: config.cacheTimeoutMs, logger });
      // A short wait at start so the first requests can use a Redis that is there; a Redis that is not does not hold the start up.
      if ((await redisStore.waitUntilUp(2000)) === 'down') logger.warn('cache Redis not reachable at start: answering from the subgraphs until it is');
      cacheStore = redisStore;
    } else {
      cacheStore = new MemoryCacheStore({ maxBytes: config.cacheMaxBytes });
    }
  }
  const metrics = new HubMetrics();
  const cacheRules = cacheStore ? loadCacheRules(config.cacheRulesFile) : undefined;
  // The response cache is also the handle for invalidations (admin, change events): both layers share the store and its tags.
  const cache = cacheStore ? new ResponseCache(cacheStore, cacheRules!, logger, metrics, config.cacheLayers.has('response')) : undefined;
  const fetchLayers = new Set(FETCH_LAYERS.filter((layer) => config.cacheLayers.has(layer)));
  const fetchCache = cacheStore && fetchLayers.size ? new FetchCache(cacheStore, cacheRules!, fetchLayers, logger, metrics) : undefined;
  const cacheState = (): 'up' | 'down' => (cacheStore instanceof RedisCacheStore ? cacheStore.health : 'up');
  if (cacheStore) {
    metrics.cacheUp.set({ backend: cacheStore.backend }, cacheState() === 'up' ? 1 : 0);
    if (cacheStore instanceof RedisCacheStore) cacheStore.onHealthChange((state) => metrics.cacheUp.set({ backend: 'redis' }, state === 'up' ? 1 : 0));
  }
  const gateway = new HubGateway({
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
    limits: config.limits,
  });
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    // Always our own id: audit records are keyed by it, so a client may not choose it.
    genReqId: () => randomUUID(),
    // Requests Node's parser refuses (oversized headers, malformed HTTP) get a catalogued error too.
    clientErrorHandler: answerClientError,
  });
  // HTTP-level refusals (bad JSON, wrong content type, unknown route) in the same GraphQL error shape and catalogue.
  installHttpErrorHandlers(app, logger);

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    logger,
    introspection: true,
    // Several operations in one HTTP request, each enforced on its own (issue 9 bounds the length).
    allowBatchedHttpRequests: true,
    // graphql-js 16 lets a `subscription` through validation; the planner would then throw on it.
    validationRules: [KnownOperationTypesRule],
    // The process's own handlers stop Fastify, which stops Apollo; Apollo's would race them.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: config.debugErrors,
    plugins: [ApolloServerPluginLandingPageDisabled(), requestLifecyclePlugin(config, gateway, audit)],
  });
  await apollo.start();
  // A schema published to the registry reaches this gateway within seconds (file watch or Redis
  // pub/sub). Watched once Apollo serves the first supergraph, then read again: a publish made
  // while the gateway was starting is not missed.
  const follow = (state: RegistryState) => {
    const next = registrySupergraph(state, logger);
    if (next && next.version !== gateway.supergraph.version) void gateway.switchTo(next);
  };
  const unwatchRegistry = registry?.watch(follow);
  if (registry) follow(await registry.read());

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_, reply) => {
    const current = gateway.supergraph;
    const probes = await Promise.all(
      current.subgraphs.map(({ name, url }) => probeSubgraph(name, gateway.routingUrl(name, url), config.readinessTimeoutMs)),
    );
    const readiness = assessReadiness(current, probes);
    // The cache is an optimisation: down, it shows here but the gateway stays ready.
    return reply.code(readiness.ready ? 200 : 503).send({ ...readiness, cache: cacheStore ? { backend: cacheStore.backend, state: cacheState() } : { backend: 'off' } });
  });
  if (cache) {
    // Agencies' change events: purge every cached response holding a changed entity.
    app.post('/internal/changes', async (request, reply) => {
      const verified = verifyChangeEvent(secrets.subgraphSigningKey, JSON.stringify(request.body ?? null), request.headers[CHANGE_SIGNATURE_HEADER] as string | undefined);
      if (!verified.ok) return reply.code(401).send({ errors: [{ message: `change event refused: ${verified.reason}`, extensions: { code: 'UNAUTHENTICATED' } }] });
      const removed = await applyChangeEvent(cache, verified.event);
      request.log.info({ agency: verified.event.agency, changes: verified.event.changes.length, removed }, 'change event');
      return { removed };
    });
  }
  // Pub/sub reaches every node of a Cluster; the first node given will do.
  const changeSubscription = cache && config.redisUrl ? subscribeToChanges(config.redisUrl.split(',')[0]!, cache, logger) : undefined;
  if (policies) registerCatalogRoutes(app, { policySet: () => policies!.current(), supergraphVersion: () => gateway.supergraph.version });
  if (config.playground) {
    // Development tokens only with the development secret: never in production, never beside an identity provider.
    const development = !config.production && !config.jwksUrl && !config.jwtPublicKeyFile && policies;
    await registerPlaygroundRoutes(app, { consumers: () => policies?.current().consumers ?? { consumers: new Map(), file: '' }, ...(development ? { developmentSecret: secrets.jwtSecret } : {}) });
  }
  app.get('/metrics', async (_, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  if (policies && grantStore && grantSync && verify) {
    const grants = new GrantService({
      store: grantStore,
      policySet: () => policies!.current(),
      calendar: loadWorkCalendar(config.calendarFile),
      checkGrant: policyGrantChecker({ policyDir: config.policyDir, consumersFile: config.consumersFile }, () => gateway.supergraph),
    });
    registerAdminRoutes(app, { grants, sync: grantSync, policies, verify });
    if (cache) registerCacheAdminRoutes(app, { cache, policies, verify });
  }
  await app.register(fastifyApollo(apollo), {
    context: async (request): Promise<GatewayContext> => {
      const clientRequestId = request.headers['x-request-id'];
      const context: GatewayContext = {
        requestId: String(request.id),
        ...(typeof clientRequestId === 'string' && clientRequestId.length <= 128 ? { clientRequestId } : {}),
        logger: request.log as unknown as Logger,
      };
      if (!policies) return context;
      const purpose = request.headers['x-data-purpose'];
      const result = await identify(
        { authorization: request.headers.authorization, purpose: typeof purpose === 'string' ? purpose : undefined },
        { registry: policies.current().consumers, verify: verify!, requireToken: config.requireToken },
      );
      if (!result.ok) throw requestError(result.code, result.message);
      context.identity = result.identity;
      request.log = request.log.child({ consumer: result.identity.consumer.id, purpose: result.identity.purpose });
      context.logger = request.log as unknown as Logger;
      return context;
    },
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onClose', async () => {
    policies?.close();
    grantSync?.close();
    unwatchRegistry?.();
    await registry?.close();
    await grantStore?.close();
    await cacheStore?.close();
    changeSubscription?.disconnect();
    await apollo.stop();
    await audit?.close();
  });

  const server: GatewayServer = {
    app,
    gateway,
    logger,
    url: '',
    close: () => app.close(),
  };
  return server;
}

/** An agency's change event, however it arrived: purge every cached response holding a changed entity. */
function applyChangeEvent(cache: ResponseCache, event: ChangeEvent): Promise<number> {
  return cache.invalidate(event.changes, 'change-event');
}

/** With Redis, change events arrive over pub/sub (the Redis is the trust boundary there). */
function subscribeToChanges(url: string, cache: ResponseCache, logger: Logger): Redis {
  const subscriber = new Redis(url, { retryStrategy: (attempt) => Math.min(attempt * 200, 2000) });
  subscriber.on('error', () => undefined); // the cache store reports Redis' state
  void subscriber.subscribe(CHANGES_CHANNEL).catch(() => undefined);
  subscriber.on('message', (_channel, message) => {
    try {
      const event = JSON.parse(message) as ChangeEvent;
      if (!Array.isArray(event.changes)) return;
      void applyChangeEvent(cache, event).catch((error: unknown) => logger.warn({ err: error }, 'change event not applied'));
    } catch {
      logger.warn('malformed change event on Redis');
    }
  });
  return subscriber;
}

/** `x-cache`, `Age` and `Cache-Control` from what the response cache did. */
function setCacheHeaders(headers: Map<string, string>, cache: CacheOutcome | undefined): void {
  if (!cache) return;
  headers.set('x-cache', cache.status);
  if (cache.status === 'BYPASS' || !cache.ttlSeconds) {
    headers.set('cache-control', 'no-store');
    return;
  }
  const age = cache.ageSeconds ?? 0;
  if (cache.status === 'HIT') headers.set('age', String(age));
  headers.set('cache-control', `${cache.scope ?? 'private'}, max-age=${Math.max(0, cache.ttlSeconds - age)}`);
}

/** Creates the server and listens on the configured host and port. */
export async function startGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const server = await createGatewayServer(options);
  await server.app.listen({ host: options.config.host, port: options.config.port });
  const address = server.app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.config.port;
  server.url = `http://${options.config.host}:${port}/graphql`;
  return server;
}

/**
 * Shapes every error into the catalogue, strips validation suggestions (they could name fields
 * the consumer's own schema hides), gives a refused operation its status, and writes one log line
 * per operation.
 */
function requestLifecyclePlugin(config: GatewayConfig, gateway: HubGateway, audit: AuditStore | undefined): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      return {
        async willSendResponse({ response, request, contextValue: context, queryHash, operationName, source }) {
          const body = response.body;
          if (audit && context.view && context.identity && body.kind === 'single') {
            const result = body.singleResult;
            const entry = auditEntry({
              requestId: context.requestId,
              identity: context.identity,
              view: context.view,
              entities: context.entities ?? {},
              operationName: operationName ?? null,
              operationHash: queryHash ?? '',
              supergraphVersion: context.supergraphVersion ?? gateway.supergraph.version,
              policyVersion: context.policySet?.version ?? gateway.policies?.current().version ?? null,
              outcome: result.data == null ? 'refused' : result.errors?.length ? 'partial' : 'ok',
              ...(context.cache ? { cache: context.cache.status } : {}),
              now: new Date(),
            });
            const recorded = await Promise.race([
              audit.append(entry, source ? { text: source, name: operationName ?? null } : undefined).then(() => true, () => false),
              new Promise<false>((resolve) => setTimeout(() => resolve(false), config.auditWaitMs).unref()),
            ]);
            if (!recorded) {
              context.logger.error({ requestId: context.requestId }, 'audit record not durable in time');
              if (config.auditFailClosed) {
                body.singleResult = { errors: [{ message: 'The audit trail could not record this request; its data is not served.', extensions: { code: 'AUDIT_UNAVAILABLE' } }] };
                response.http.status = ERROR_CATALOGUE.AUDIT_UNAVAILABLE.httpStatus;
              }
            }
          }
          if (body.kind === 'single') setCacheHeaders(response.http.headers, context.cache);
          if (body.kind === 'single' && body.singleResult.errors) {
            const status = response.http.status;
            const clientError = status !== undefined && status >= 400 && status < 500;
            body.singleResult.errors = body.singleResult.errors.map((error) => {
              const shaped = shapeError(error, { production: config.production, requestId: context.requestId, clientError });
              return shaped.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' ? { ...shaped, message: shaped.message.replace(/ Did you mean .*\?$/, '') } : shaped;
            });
            const refusal = body.singleResult.data == null ? body.singleResult.errors.map((e) => e.extensions?.code).find((code) => isErrorCode(code) && ERROR_CATALOGUE[code].httpStatus !== 200) : undefined;
            // Apollo Server answers a data-less result with 200 or 400; a catalogued refusal knows better.
            if (refusal && isErrorCode(refusal) && [undefined, 200, 400].includes(response.http.status)) response.http.status = ERROR_CATALOGUE[refusal].httpStatus;
          }
          contextValue.logger.info(
            {
              operationName: request.operationName ?? null,
              durationMs: Math.round((performance.now() - started) * 10) / 10,
              errors: body.kind === 'single' ? (body.singleResult.errors?.length ?? 0) : undefined,
              supergraph: context.supergraphVersion,
            },
            'graphql request',
          );
        },
      };
    },
  };
}
