import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import fastifyApollo from '@as-integrations/fastify';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config';
import { shapeError } from '../errors';
import { HubGateway, type GatewayContext } from '../execution';
import { assessReadiness, probeSubgraph } from '../health';
import { createLogger } from '../logging';
import { loadSupergraphFile, type Supergraph } from '../supergraph';

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
}

/**
 * The gateway's HTTP face: `POST|GET /graphql` through Apollo Server, `GET /healthz` (the process
 * is alive) and `GET /readyz` (a supergraph is loaded and every subgraph answers).
 */
export async function createGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const supergraph = options.supergraph ?? loadSupergraphFile(config.supergraphFile);
  const gateway = new HubGateway({ supergraph, logger, subgraphUrls: config.subgraphUrls });

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (req) => {
      const header = req.headers['x-request-id'];
      return typeof header === 'string' && /^[\w.:-]{1,128}$/.test(header) ? header : randomUUID();
    },
  });

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    logger,
    introspection: true,
    includeStacktraceInErrorResponses: !config.production,
    plugins: [ApolloServerPluginLandingPageDisabled(), requestLifecyclePlugin(config)],
  });
  await apollo.start();

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_, reply) => {
    const current = gateway.supergraph;
    const probes = await Promise.all(
      current.subgraphs.map(({ name, url }) => probeSubgraph(name, gateway.routingUrl(name, url), config.readinessTimeoutMs)),
    );
    const readiness = assessReadiness(current, probes);
    return reply.code(readiness.ready ? 200 : 503).send(readiness);
  });
  await app.register(fastifyApollo(apollo), {
    context: async (request) => ({ requestId: String(request.id), logger: request.log as unknown as Logger }),
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onClose', async () => {
    await apollo.stop();
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

/** Creates the server and listens on the configured host and port. */
export async function startGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const server = await createGatewayServer(options);
  await server.app.listen({ host: options.config.host, port: options.config.port });
  const address = server.app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.config.port;
  server.url = `http://${options.config.host}:${port}/graphql`;
  return server;
}

/** Shapes every error into the catalogue and writes one log line per operation. */
function requestLifecyclePlugin(config: GatewayConfig): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      return {
        async willSendResponse({ response, request, contextValue: context }) {
          const body = response.body;
          if (body.kind === 'single' && body.singleResult.errors) {
            body.singleResult.errors = body.singleResult.errors.map((error) => shapeError(error, { production: config.production, requestId: context.requestId }));
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
