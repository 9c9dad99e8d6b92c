import fastifyApollo from '@as-integrations/fastify';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config';
import { answerClientError, installHttpErrorHandlers } from '../errors';
import type { HubGateway } from '../execution';
import type { HubSecrets } from '../identity';
import { createRequestGate } from '../limits';
import { createLogger } from '../logging';
import { AllowList, loadOperationManifest } from '../persisted';
import type { Supergraph } from '../supergraph';
import type { WorkerServices } from '../workers';
import { installAllowList } from './allowListHook';
import { createApolloServer } from './apolloServer';
import { disputeNoticesStage } from './disputeNoticesStage';
import { installAuditGate } from './auditGate';
import { auditStage } from './auditStage';
import { installChangeEvents } from './changeEventRoutes';
import { installCors } from './cors';
import { installCsvAnswers } from './csvAnswers';
import { installReceipts, notePageReceipt } from './receipts';
import { installDrain, type DrainProgress } from './drain';
import { followCertificates, httpsOption } from './httpsListener';
import { limitHeapGrowth } from '../runtime';
import { errorShapingStage } from './errorShaping';
import { graphqlContext } from './graphqlContext';
import { refuseOtherGraphqlMethods } from './graphqlMethods';
import { httpCachingPlugins, storeNothingUndecided } from './httpCachingPlugin';
import { openHubServices } from './hubServices';
import { requestIdentifier } from './identifyRequest';
import { requestRateLimit } from './rateLimit';
import { countResponses, echoRequestId, requestLogStage } from './requestLog';
import { installRequestGate } from './requestGateHook';
import { responseStagesPlugin } from './responseStages';
import { installScopedApq } from './scopedApqHook';
import { installSideRoutes } from './sideRoutes';
import { installRequestTracing } from '../tracing';

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
  /** Where a drain is and which requests it still waits for. */
  drainProgress(): DrainProgress;
}

export interface GatewayServerOptions {
  config: GatewayConfig;
  logger?: Logger;
  /** Use this supergraph instead of reading `config.supergraphFile`. */
  supergraph?: Supergraph;
  /** Use these secrets instead of loading them (tests). */
  secrets?: HubSecrets;
  /** In a worker of a multi-process gateway (`GATEWAY_WORKERS`): what it shares through the primary. */
  worker?: WorkerServices;
}

/**
 * The gateway's HTTP face, wired in request order: drain → scoped APQ → allow-list → request gate
 * → CSV negotiation (answers turned into tables on the way out) → Apollo Server (context: identity,
 * rate limit; executor: the hub's gateway; answer: HTTP caching, then audit → error shaping →
 * request log) → `x-request-id`, `no-store` for what nobody decided.
 * Each step is a file of this folder; docs/guides/gateway-internals.md maps them.
 */
export async function createGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const services = await openHubServices({ ...options, logger });
  const { gateway, policies, verify, audit, metrics, disputeSync } = services;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    // Always our own id: audit records are keyed by it, so a client may not choose it.
    genReqId: () => randomUUID(),
    bodyLimit: config.maxBodyBytes,
    // Requests arriving while the server closes get the catalogued SHUTTING_DOWN (drain.ts).
    return503OnClosing: false,
    // request.ip is the client's address only through proxies the operator names.
    ...(config.trustProxy.length ? { trustProxy: config.trustProxy } : {}),
    // Requests Node's parser refuses (oversized headers, broken HTTP): a coded answer, not a bare status line.
    clientErrorHandler: answerClientError,
    // HTTPS when the operator gives a certificate (TLS_CERT_FILE), followed as it is renewed.
    ...httpsOption(config.tls),
  });
  followCertificates(app, config.tls, logger);
  installRequestTracing(app);
  // HTTP-level refusals (bad JSON, wrong content type, unknown route) in the same GraphQL error shape and catalogue.
  installHttpErrorHandlers(app, logger);
  const cors = config.corsOrigins.length > 0;
  const runOf = gateway.runOf.bind(gateway);
  const apollo = createApolloServer({
    config,
    gateway,
    logger,
    plugins: [
      ...httpCachingPlugins({ cors, runOf }),
      responseStagesPlugin([
        ...(disputeSync ? [disputeNoticesStage({ open: () => disputeSync.open, runOf })] : []),
        ...(audit ? [auditStage({ audit, gateway, config, metrics })] : []),
        errorShapingStage(config),
        requestLogStage(metrics, runOf),
      ]),
    ],
  });
  await apollo.start();
  const unfollowRegistry = await services.followRegistry();

  const drain = installDrain(app);
  app.get('/healthz', async () => ({ status: 'ok' }));
  await installSideRoutes(app, services, { draining: () => drain.draining });
  const changeEvents = services.cache
    ? installChangeEvents(app, {
        cache: services.cache,
        signingKey: services.secrets.subgraphSigningKey,
        redisUrl: config.redisUrl,
        logger,
      })
    : undefined;
  await installCors(app, config.corsOrigins);
  refuseOtherGraphqlMethods(app);
  const identify =
    policies && verify ? requestIdentifier({ policies, verify, requireToken: config.requireToken }) : undefined;
  if (config.persistedOperations === 'apq')
    installScopedApq(app, {
      store: services.cacheStore,
      ttlSeconds: config.apqTtlSeconds,
      maxBatch: config.requestLimits.maxBatch,
      ...(identify ? { identify } : {}),
    });
  if (config.persistedOperations === 'only') {
    const allowList = new AllowList(loadOperationManifest(config.persistedOperationsFile));
    logger.info(
      { operations: allowList.size, file: config.persistedOperationsFile },
      'serving registered operations only',
    );
    installAllowList(app, allowList);
  }
  installRequestGate(app, createRequestGate(config.limits, config.requestLimits, config.maxTokens));
  installCsvAnswers(app, {
    schema: () => gateway.supergraph.apiSchema,
    maxRows: config.exportMaxRows,
    pageSize: config.limits.maxListSize,
    allowListOnly: config.persistedOperations === 'only',
    ...(audit && config.receipts ? { onPageAnswer: notePageReceipt } : {}),
  });
  if (audit && config.receipts) installReceipts(app, { keysFile: config.receiptKeysFile, logger });
  // After the receipt's hook: an answer is finished while its audit record is written, and waits here for it.
  if (audit) installAuditGate(app, { failClosed: config.auditFailClosed });
  const rateLimit = requestRateLimit({ limiter: services.rateLimiter, metrics, perMinute: config.rateLimitPerMinute });
  await app.register(fastifyApollo(apollo), { context: graphqlContext({ identify, rateLimit }) });
  echoRequestId(app);
  countResponses(app, metrics);
  storeNothingUndecided(app, { cors });
  app.addHook('onClose', async () => {
    unfollowRegistry();
    drain.step('closing the hub services');
    await services.close();
    changeEvents?.close();
    drain.step('stopping Apollo Server');
    await apollo.stop();
    drain.step('closing the audit trail');
    await audit?.close();
    drain.step('closed');
  });
  return {
    app,
    gateway,
    logger,
    url: '',
    close: () => app.close(),
    shutdown: ({ delayMs }) => drain.drain(delayMs),
    drainProgress: () => drain.progress(),
  };
}

/** Creates the server and listens on the configured host and port. */
export async function startGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  // A process of its own serving the gateway: its memory is the gateway's to bound.
  limitHeapGrowth(options.config.heapGrowthPercent);
  const server = await createGatewayServer(options);
  await server.app.listen({ host: options.config.host, port: options.config.port });
  const address = server.app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.config.port;
  server.url = `${options.config.tls ? 'https' : 'http'}://${options.config.host}:${port}/graphql`;
  return server;
}
