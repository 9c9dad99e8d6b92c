import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import fastifyApollo from '@as-integrations/fastify';
import fastifyCors from '@fastify/cors';
import type { GraphQLFormattedError } from 'graphql';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { FETCH_LAYERS, FetchCache, loadCacheRules, MemoryCacheStore, RedisCacheStore, ResponseCache, type CacheStore } from '../cache';
import { auditEntry, checkpointKey, openAuditStore, type AuditStore } from '../audit';
import type { GatewayConfig } from '../config';
import { answerClientError, codedErrorResponse, ERROR_CATALOGUE, errorContentType, installHttpErrorHandlers, isErrorCode, requestError, shapeError, type ErrorCode } from '../errors';
import { AllowList, loadOperationManifest } from '../persisted';
import { createRequestGate, listSizePlugin, parseJsonOrUndefined } from '../limits';
import { HubGateway, type GatewayContext } from '../execution';
import { reportFaults, SubgraphFaults } from '../faults';
import { createTokenVerifier, identify, loadSecrets, type HubSecrets, type TokenVerifier } from '../identity';
import { createLogger } from '../logging';
import { GrantService, openGrantStore, GrantSync, loadWorkCalendar, policyGrantChecker, runtimeGrantInputs } from '../grants';
import { PolicyRuntime } from '../policy';
import { Redis } from 'ioredis';
import { HubMetrics } from '../metrics';
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from '../ratelimit';
import { CHANGE_SIGNATURE_HEADER, CHANGES_CHANNEL, verifyChangeEvent, type ChangeEvent } from '../signing';
import { registerAdminRoutes, registerCacheAdminRoutes } from './adminRoutes';
import { forbidStoring, httpCachingPlugins, storeNothingUndecided } from './httpCachingPlugin';
import { oncePerRequest } from './oncePerRequest';
import { APOLLO_FORGETFUL_APQ, installScopedApq } from './scopedApqHook';
import { registerOperatorRoutes } from './operatorRoutes';
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
  /**
   * Stops for a restart without cutting a request: `/readyz` answers 503 at once, requests keep
   * being served for `delayMs` (while load balancers notice), then new requests get 503
   * SHUTTING_DOWN, the ones in flight finish, and the audit trail is flushed and closed.
   */
  shutdown(options: { delayMs: number }): Promise<void>;
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
 * is alive), and the operators' `GET /readyz` and `GET /metrics` (operatorRoutes.ts).
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
      { maxLifetimeSeconds: config.tokenMaxTtlSeconds },
    );
  }
  // Every request that touches agency data leaves a durable record before its response goes out.
  const audit: AuditStore | undefined = !policies ? undefined : await openAuditStore(config, checkpointKey(secrets.subgraphSigningKey), logger);
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
  // Per-consumer request rates: counted in this process, or shared by every gateway on the cache's Redis.
  // Always there: a consumer's own limit in the registry holds even when RATE_LIMIT_PER_MINUTE is 0.
  const rateLimiter: RateLimiter =
    cacheStore instanceof RedisCacheStore ? new RedisRateLimiter(cacheStore.client, RATE_WINDOW_MS, logger, () => cacheStore.health === 'up') : new MemoryRateLimiter(RATE_WINDOW_MS);
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
  });
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    // Always our own id: audit records are keyed by it, so a client may not choose it.
    genReqId: () => randomUUID(),
    bodyLimit: config.maxBodyBytes,
    // Requests arriving while the server closes get the catalogued SHUTTING_DOWN (hook below).
    return503OnClosing: false,
    // request.ip is the client's address only through proxies the operator names.
    ...(config.trustProxy.length ? { trustProxy: config.trustProxy } : {}),
    // Requests Node's parser refuses (oversized headers, broken HTTP): a coded answer, not a bare status line.
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
    // Automatic Persisted Queries (registrations scoped to the consumer: installScopedApq below) unless turned off, or replaced by the allow-list.
    persistedQueries: config.persistedOperations === 'apq' ? APOLLO_FORGETFUL_APQ : false,
    // Shape limits are checked before Apollo Server sees the request (requestGate below); the
    // token bound stops the parser itself.
    parseOptions: { maxTokens: config.maxTokens },
    // Apollo Server's own refusals carry BAD_REQUEST whatever their status; 405 and 406 have codes of their own.
    formatError: recodeHttpRefusal,
    plugins: [ApolloServerPluginLandingPageDisabled(), listSizePlugin(config.limits), ...httpCachingPlugins({ cors: config.corsOrigins.length > 0 }), requestLifecyclePlugin(config, gateway, audit, metrics)],
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

  // Draining: readiness fails first; once closing, new requests are refused with a code, never cut.
  let draining = false;
  let closing = false;
  app.addHook('onRequest', async (request, reply) => {
    if (!closing) return;
    const refusal = codedErrorResponse('SHUTTING_DOWN', 'This gateway is restarting and takes no new requests; retry.');
    return reply.code(refusal.status).header('connection', 'close').header('retry-after', '1').type(errorContentType(request.headers.accept)).send(refusal.body);
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  registerOperatorRoutes(app, { config, gateway, faults, metrics, logger, subgraphSigningKey: secrets.subgraphSigningKey, cache: () => (cacheStore ? { backend: cacheStore.backend, state: cacheState() } : { backend: 'off' }), draining: () => draining, policies, verify });
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
    await registerPlaygroundRoutes(app, { consumers: () => policies?.current().consumers ?? { consumers: new Map(), file: '' }, ...(development ? { developmentSecret: secrets.jwtSecret } : {}), maxTokenLifetimeSeconds: config.tokenMaxTtlSeconds });
  }
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
  // Cross-origin browser apps only from the origins an operator lists; none by default.
  if (config.corsOrigins.length) {
    await app.register(fastifyCors, {
      origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
      methods: ['GET', 'POST'],
      allowedHeaders: ['authorization', 'content-type', 'accept', 'x-data-purpose', 'x-request-id', 'apollo-require-preflight', 'x-apollo-operation-name'],
      exposedHeaders: ['x-request-id', 'x-cache', 'age', 'retry-after'],
      maxAge: 600,
    });
  }
  // Other methods on the GraphQL route: 405 with the ones it takes.
  app.route({
    method: ['PUT', 'PATCH', 'DELETE'],
    url: '/graphql',
    handler: async (request, reply) => {
      const refusal = codedErrorResponse('METHOD_NOT_ALLOWED', `${request.method} is not a GraphQL request method: send queries with GET or POST, mutations with POST.`);
      return reply.code(refusal.status).header('allow', 'GET, POST').type(errorContentType(request.headers.accept)).send(refusal.body);
    },
  });
  // With PERSISTED_OPERATIONS=only, each operation is replaced by its registered text (or refused);
  // then batch length, variables size and each document's shape, before Apollo Server parses anything.
  const allowList = config.persistedOperations === 'only' ? new AllowList(loadOperationManifest(config.persistedOperationsFile)) : undefined;
  if (allowList) logger.info({ operations: allowList.size, file: config.persistedOperationsFile }, 'serving registered operations only');
  // One identification per request, whichever asks first: the APQ step or the GraphQL context.
  const identifyRequest = oncePerRequest((request) => {
    const purpose = request.headers['x-data-purpose'];
    return identify(
      { authorization: request.headers.authorization, purpose: typeof purpose === 'string' ? purpose : undefined },
      { registry: policies!.current().consumers, verify: verify!, requireToken: config.requireToken },
    );
  });
  if (config.persistedOperations === 'apq') installScopedApq(app, { store: cacheStore, ttlSeconds: config.apqTtlSeconds, maxBatch: config.requestLimits.maxBatch, ...(policies ? { identify: identifyRequest } : {}) });
  const requestGate = createRequestGate(config.limits, config.requestLimits, config.maxTokens);
  app.addHook('preHandler', async (request, reply) => {
    if (request.routeOptions.url !== '/graphql') return;
    const refuse = (code: ErrorCode, message: string, extensions?: Record<string, unknown>) => {
      const refusal = codedErrorResponse(code, message, extensions);
      return reply.code(refusal.status).type(errorContentType(request.headers.accept)).send(refusal.body);
    };
    if (allowList) {
      const operations = request.method === 'GET' ? [request.query] : Array.isArray(request.body) ? request.body : [request.body];
      for (const operation of operations) {
        if (!operation || typeof operation !== 'object') continue; // not a GraphQL request: Apollo Server says so
        const verdict = substituteRegistered(allowList, operation as Record<string, unknown>);
        if (verdict) return refuse(verdict.code, verdict.message);
      }
      // Apollo Server reads a GET's operation from the URL itself: put the substitution there.
      if (request.method === 'GET') {
        const search = new URLSearchParams(Object.entries(request.query as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
        request.raw.url = `${request.url.split('?')[0]}?${search.toString()}`;
      }
    }
    const breach = requestGate(request.method, request.body, request.query);
    if (breach) return refuse(breach.code, breach.message, { limit: breach.limit, actual: breach.actual });
  });
  await app.register(fastifyApollo(apollo), {
    context: async (request): Promise<GatewayContext> => {
      const clientRequestId = request.headers['x-request-id'];
      const context: GatewayContext = {
        requestId: String(request.id),
        ...(typeof clientRequestId === 'string' && clientRequestId.length <= 128 ? { clientRequestId } : {}),
        logger: request.log as unknown as Logger,
      };
      // Each operation of a batch counts against the limit.
      const weight = Array.isArray(request.body) ? Math.max(1, request.body.length) : 1;
      if (!policies) {
        await enforceRateLimit(rateLimiter, { key: `address:${request.ip}`, label: 'unidentified', limit: config.rateLimitPerMinute, weight }, metrics);
        return context;
      }
      const result = await identifyRequest(request);
      if (!result.ok) {
        // Refused identities count too, per address: bad tokens cannot be sent at any rate.
        await enforceRateLimit(rateLimiter, { key: `address:${request.ip}`, label: 'unidentified', limit: config.rateLimitPerMinute, weight }, metrics);
        throw requestError(result.code, result.message);
      }
      context.identity = result.identity;
      request.log = request.log.child({ consumer: result.identity.consumer.id, purpose: result.identity.purpose });
      context.logger = request.log as unknown as Logger;
      // The public (no token) is counted per address, every registered consumer on its own.
      const { consumer, anonymous } = result.identity;
      await enforceRateLimit(
        rateLimiter,
        { key: anonymous ? `address:${request.ip}` : `consumer:${consumer.id}`, label: consumer.id, limit: consumer.rateLimitPerMinute ?? config.rateLimitPerMinute, weight },
        metrics,
      );
      return context;
    },
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  storeNothingUndecided(app, { cors: config.corsOrigins.length > 0 });
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
    shutdown: async ({ delayMs }) => {
      draining = true;
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      closing = true;
      // Waits for the requests in flight; the onClose hooks then stop Apollo and flush the audit trail.
      await app.close();
    },
  };
  return server;
}

/**
 * Puts an allow-listed operation's registered text in place of what was sent, and takes the
 * persisted-query extension away (Automatic Persisted Queries are off in this mode). Returns the
 * refusal when the operation is not on the list. The operation is a POST body or batch member, or
 * a GET's query string (whose `extensions` is JSON text).
 */
function substituteRegistered(allowList: AllowList, operation: Record<string, unknown>): { code: ErrorCode; message: string } | undefined {
  const extensions = typeof operation.extensions === 'string' ? parseJsonOrUndefined(operation.extensions) : operation.extensions;
  if (typeof operation.extensions === 'string' && extensions === undefined) return undefined; // malformed: Apollo Server refuses it
  const verdict = allowList.resolve(operation.query, extensions);
  if (!verdict.ok) return verdict;
  operation.query = verdict.query;
  if (extensions && typeof extensions === 'object' && 'persistedQuery' in extensions) {
    const { persistedQuery: _registered, ...rest } = extensions as Record<string, unknown>;
    operation.extensions = typeof operation.extensions === 'string' ? JSON.stringify(rest) : rest;
  }
  return undefined;
}

const RATE_WINDOW_MS = 60_000;

/**
 * Counts a request against its consumer's limit; past it, refuses with 429, `Retry-After` and
 * the wait in `extensions.retryAfterSeconds`. A limit of 0 (registry or `RATE_LIMIT_PER_MINUTE`) is no limit.
 */
async function enforceRateLimit(limiter: RateLimiter, request: { key: string; label: string; limit: number; weight: number }, metrics: HubMetrics): Promise<void> {
  if (!request.limit) return;
  const decision = await limiter.take(request.key, request.weight, request.limit);
  if (decision.allowed) return;
  metrics.rateLimited.inc({ consumer: request.label });
  const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  const error = requestError('RATE_LIMITED', `Too many requests: this consumer may send ${request.limit} per minute. Retry in ${retryAfterSeconds} s.`, { retryAfterSeconds });
  (error.extensions as { http: { status: number; headers?: HeaderMap } }).http.headers = new HeaderMap([['retry-after', String(retryAfterSeconds)]]);
  throw error;
}

/** Apollo Server's 405 (a mutation over GET) and 406 (an Accept it cannot honour) under their own catalogued codes. */
function recodeHttpRefusal(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  if (formatted.extensions?.code !== 'BAD_REQUEST') return formatted;
  const status = (error as { extensions?: { http?: { status?: number } } } | undefined)?.extensions?.http?.status;
  const code = status === 405 ? 'METHOD_NOT_ALLOWED' : status === 406 ? 'NOT_ACCEPTABLE' : undefined;
  return code ? { ...formatted, extensions: { ...formatted.extensions, code } } : formatted;
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

/** What a consumer got: everything asked (`ok`), data with errors (`partial`), or no data (`refused`). */
function requestOutcome(result: { data?: unknown; errors?: readonly unknown[] }): 'ok' | 'partial' | 'refused' {
  return result.data == null ? 'refused' : result.errors?.length ? 'partial' : 'ok';
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
function requestLifecyclePlugin(config: GatewayConfig, gateway: HubGateway, audit: AuditStore | undefined, metrics: HubMetrics): ApolloServerPlugin<GatewayContext> {
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
              outcome: requestOutcome(result),
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
                forbidStoring(response.http, 'the audit trail could not record it');
              }
            }
          }
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
          if (body.kind === 'single') {
            const consumer = context.identity?.consumer.id ?? 'unidentified';
            metrics.consumerRequests.inc({ consumer, outcome: requestOutcome(body.singleResult) });
            metrics.consumerRequestLatency.observe({ consumer }, (performance.now() - started) / 1000);
          }
          contextValue.logger.info(
            {
              operationName: operationName ?? request.operationName ?? null,
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
