import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import fastifyApollo from '@as-integrations/fastify';
import { isErrorCode } from '@cdo-hub/gateway/errors';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { DocumentNode, GraphQLFormattedError } from 'graphql';
import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';
import type { AgencyDatabase } from '../database';
import { RequestLoaders } from '../loaders';

/** What every resolver of every agency gets. */
export interface SubgraphContext {
  db: AgencyDatabase;
  loaders: RequestLoaders;
  requestId: string;
}

export interface SubgraphDefinition {
  /** Agency id, e.g. `education`. */
  name: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<SubgraphContext>;
}

export interface SubgraphServerOptions {
  definition: SubgraphDefinition;
  db: AgencyDatabase;
  logger?: Logger;
  /** Hide unexpected error messages (production). */
  maskUnexpectedErrors?: boolean;
}

export interface RunningSubgraph {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/**
 * Builds an agency's subgraph server: Apollo Server on Fastify, `POST /graphql` (and GET for
 * queries) plus `GET /healthz`. Not listening yet, so in-process tests can use `app.inject`.
 */
export async function createSubgraphApp(options: SubgraphServerOptions): Promise<FastifyInstance> {
  const { definition, db } = options;
  const logger = options.logger ?? pino({ name: definition.name, level: process.env.LOG_LEVEL ?? 'info' });
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Per-request lines are the gateway's job; a subgraph logs only what goes wrong.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (req) => {
      const header = req.headers['x-request-id'];
      return typeof header === 'string' && header.length <= 128 ? header : randomUUID();
    },
  });
  const apollo = new ApolloServer<SubgraphContext>({
    schema: buildSubgraphSchema([{ typeDefs: definition.typeDefs, resolvers: definition.resolvers as GraphQLResolverMap<unknown> }]),
    // No drain plugin: `app.close()` already waits for in-flight requests, then stops Apollo below.
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled()],
    introspection: true,
    includeStacktraceInErrorResponses: false,
    formatError: (formatted) => formatSubgraphError(formatted, options.maskUnexpectedErrors ?? process.env.NODE_ENV === 'production'),
  });
  await apollo.start();
  app.get('/healthz', async () => ({ status: 'ok', agency: definition.name }));
  await app.register(fastifyApollo(apollo), {
    context: async (request) => ({ db, loaders: new RequestLoaders(db), requestId: String(request.id) }),
  });
  app.addHook('onClose', async () => {
    await apollo.stop();
  });
  return app;
}

/** Creates the app and listens; the URL is that of its GraphQL endpoint. */
export async function startSubgraphServer(options: SubgraphServerOptions & { port: number; host?: string }): Promise<RunningSubgraph> {
  const app = await createSubgraphApp(options);
  await app.listen({ port: options.port, host: options.host ?? '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    app,
    url: `http://${options.host ?? '127.0.0.1'}:${port}/graphql`,
    close: () => app.close(),
  };
}

/**
 * Errors with a catalogued code pass through; anything else is an unexpected failure, whose
 * message (which may hold SQL or paths) is hidden when masking is on.
 */
export function formatSubgraphError(formatted: GraphQLFormattedError, mask: boolean): GraphQLFormattedError {
  if (isErrorCode(formatted.extensions?.code)) return formatted;
  if (!mask) return formatted;
  return { ...formatted, message: 'Unexpected error in the subgraph.', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
