import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import fastifyApollo from '@as-integrations/fastify';
import {
  hubError,
  installHttpErrorHandlers,
  isErrorCode,
  MemoryNonceStore,
  followServerTls,
  readServerTls,
  signingKeyring,
  type ConsumerClaims,
  type NonceStore,
  type ServerTlsFiles,
  developmentSubjectKey,
} from '@cdo-hub/contracts';
import { recordSubjectFields, SubjectCollector, subjectsPlugin, type SubjectTypes } from '../subjects';
import type { ChangeRule } from '../changes';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { DocumentNode, GraphQLFormattedError } from 'graphql';
import { randomUUID } from 'node:crypto';
import type { Server as TlsServer } from 'node:tls';
import pino, { type Logger } from 'pino';
import type { AgencyDatabase } from '../database';
import { RequestLoaders } from '../loaders';
import { DEFAULT_CURSOR_TTL_MS, SubgraphCursors, type CursorCodec, type CursorSettings } from '../pagination';
import { SUBGRAPH_SETTINGS } from '../settings';
import { callerOf, requireSignedCalls } from './callSignature';
import { traceSignedCalls } from '../tracing';

/** What every resolver of every agency gets. */
export interface SubgraphContext {
  db: AgencyDatabase;
  loaders: RequestLoaders;
  requestId: string;
  /** This call's logger: the gateway's request id, the consumer and the purpose on every line. */
  logger: Logger;
  /** Who asked through the gateway, for what, and the row scopes of their grants (signed). */
  consumer?: ConsumerClaims;
  /** This call's cursors: sealed for this agency and the row scope of the signed consumer header. */
  cursors: CursorCodec;
  /** The subjects of the records this call's answer carries (agencies with subject types). */
  subjects?: SubjectCollector;
}

/**
 * Owner-only operations (the agency's own mutations): the caller must be a consumer of this
 * agency, as the gateway's signed header says. Checked here as well as by the gateway's policy,
 * so a request that reached the subgraph some other way cannot change its records.
 */
export function assertOwner(context: SubgraphContext, agency: string, operation: string): void {
  if (context.consumer?.agency === agency) return;
  throw hubError(
    'FORBIDDEN',
    `${operation} changes ${agency}'s records: only ${agency}'s own consumers may call it${context.consumer ? `, not ${context.consumer.consumer}` : ''}.`,
  );
}

/**
 * True when a grant's row scope excludes this row from `coordinate`: the gateway released the
 * field under a grant limited to, say, one district, and the row lies in another.
 */
export function outOfScope(
  context: SubgraphContext,
  coordinate: string,
  row: { districtCode?: string | null },
): boolean {
  const scoped = context.consumer?.scope;
  if (!scoped || !scoped.fields.includes(coordinate)) return false;
  const district = scoped.scope.districtCode;
  return district !== undefined && row.districtCode !== district;
}

/**
 * Resolvers of scoped fields call this first: for a row outside the grant's scope the field
 * resolves to null with an OUT_OF_SCOPE error, so the data never leaves the agency.
 */
export function assertInScope(
  context: SubgraphContext,
  coordinate: string,
  row: { districtCode?: string | null },
): void {
  if (!outOfScope(context, coordinate, row)) return;
  // The message names the scope, never the consumer: the gateway caches answers per view and
  // consumers with identical views share them.
  throw hubError(
    'OUT_OF_SCOPE',
    `${coordinate} is released under this grant only for rows with ${Object.entries(context.consumer!.scope!.scope)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    {
      coordinate,
      scope: context.consumer!.scope!.scope,
    },
  );
}

export interface SubgraphDefinition {
  /** Agency id, e.g. `education`. */
  name: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<SubgraphContext>;
  /** Which entities each table's rows are, for change events (cache invalidation at the gateways). */
  changes?: readonly ChangeRule[];
  /**
   * Brings a database built by an older seed up to what the resolvers read (a column added and
   * filled, never a row lost). Runs when the server is created, before any call; idempotent.
   */
  migrate?: (db: AgencyDatabase) => void;
  /** The types whose records are about one person or organisation: their digests go to the audit (`subjects/`). */
  subjects?: SubjectTypes;
}

export interface SubgraphServerOptions {
  definition: SubgraphDefinition;
  db: AgencyDatabase;
  logger?: Logger;
  /** Hide unexpected error messages (production). */
  maskUnexpectedErrors?: boolean;
  /**
   * The hub's key (`HUB_SUBGRAPH_SIGNING_KEY`): every GraphQL call must be signed with it, or it is
   * refused. Required: a subgraph never serves its agency's data to unsigned callers.
   */
  signingKey: string;
  /**
   * Keys the hub signed with before `signingKey` (`HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS`): during a
   * rotation, calls signed and cursors sealed under them are still accepted.
   */
  previousSigningKeys?: readonly string[];
  /** The agency's subject key (`<PREFIX>_SUBJECT_KEY`); default: the development key. */
  subjectKey?: string;
  /** Where nonces of accepted calls are remembered; default: this process's memory. */
  nonceStore?: NonceStore;
  /** How old a call's signature may be (default 30 s, `HUB_SIGNATURE_MAX_AGE_MS`). */
  signatureMaxAgeMs?: number;
  /** Cursor sealing (default: sealed, 24 h); `now` is for tests. */
  cursors?: { settings?: CursorSettings; now?: () => number };
  /** Serve HTTPS with these files (followed as they are renewed); absent, plain HTTP. */
  tls?: ServerTlsFiles;
}

export interface RunningSubgraph {
  app: FastifyInstance;
  url: string;
  /** The port it listens on: the one asked for, or the one the system chose for port 0. */
  port: number;
  close(): Promise<void>;
}

/**
 * Builds an agency's subgraph server: Apollo Server on Fastify, `POST /graphql` (and GET for
 * queries) plus `GET /healthz`. Not listening yet, so in-process tests can use `app.inject`.
 * Every GraphQL call must carry the hub's signature (see `requireSignedCalls`); `/healthz` is open.
 */
export async function createSubgraphApp(options: SubgraphServerOptions): Promise<FastifyInstance> {
  const { definition, db } = options;
  if (!options.signingKey)
    throw new Error(
      `the ${definition.name} subgraph needs the hub's signing key (HUB_SUBGRAPH_SIGNING_KEY) to verify calls: it serves no data unsigned`,
    );
  const logger =
    options.logger ?? pino({ name: definition.name, level: SUBGRAPH_SETTINGS.LOG_LEVEL.read(process.env) });
  definition.migrate?.(db);
  const cursors = new SubgraphCursors(
    definition.name,
    { signingKey: options.signingKey, previousSigningKeys: options.previousSigningKeys ?? [] },
    options.cursors?.settings ?? { sealing: true, ttlMs: DEFAULT_CURSOR_TTL_MS },
    options.cursors?.now,
  );
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Per-request lines are the gateway's job; a subgraph logs only what goes wrong.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (req) => {
      const header = req.headers['x-request-id'];
      return typeof header === 'string' && header.length <= 128 ? header : randomUUID();
    },
    ...(options.tls ? { https: readServerTls(options.tls) } : {}),
  });
  if (options.tls) followAgencyCertificates(app, options.tls, logger);
  const schema = buildSubgraphSchema([
    { typeDefs: definition.typeDefs, resolvers: definition.resolvers as GraphQLResolverMap<unknown> },
  ]);
  if (definition.subjects) recordSubjectFields(schema, definition.subjects);
  const subjectKey = options.subjectKey ?? developmentSubjectKey(definition.name);
  const apollo = new ApolloServer<SubgraphContext>({
    schema,
    // No drain plugin: `app.close()` already waits for in-flight requests, then stops Apollo below.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      logUnexpectedErrors(),
      ...(definition.subjects ? [subjectsPlugin<SubgraphContext>()] : []),
    ],
    logger,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    // Whoever runs the server stops it (`app.close()` stops Apollo in the hook below). Apollo's own
    // SIGTERM handler would call `stop()` concurrently, and a second `stop()` during the first one
    // waits on a barrier Apollo never resolves on success: `app.close()` would hang for good.
    stopOnTerminationSignals: false,
    formatError: (formatted) =>
      formatSubgraphError(formatted, options.maskUnexpectedErrors ?? SUBGRAPH_SETTINGS.NODE_ENV.read(process.env)),
  });
  await apollo.start();
  installHttpErrorHandlers(app, logger);
  app.get('/healthz', async () => ({ status: 'ok', agency: definition.name }));
  const nonceStore: NonceStore = options.nonceStore ?? new MemoryNonceStore();
  await app.register(async (graphql) => {
    // Scoped to the GraphQL route: /healthz stays open.
    requireSignedCalls(graphql, {
      signingKeys: signingKeyring(options.signingKey, options.previousSigningKeys),
      audience: definition.name,
      nonceStore,
      ...(options.signatureMaxAgeMs !== undefined ? { maxAgeMs: options.signatureMaxAgeMs } : {}),
    });
    traceSignedCalls(graphql);
    await graphql.register(fastifyApollo(apollo), {
      context: async (request): Promise<SubgraphContext> => {
        const consumer = callerOf(request);
        // Cursors are bound to the row scope, not the consumer: the gateway's caches share a
        // page between consumers with the same row scope, and its cursors must open for each.
        return {
          db,
          loaders: new RequestLoaders(db),
          requestId: String(request.id),
          logger: request.log as unknown as Logger,
          cursors: cursors.forCall(consumer?.scope?.scope),
          ...(definition.subjects ? { subjects: new SubjectCollector(subjectKey, definition.subjects) } : {}),
          ...(consumer ? { consumer } : {}),
        };
      },
    });
  });
  app.addHook('onClose', async () => {
    await apollo.stop();
    await nonceStore.close?.();
  });
  return app;
}

/** A renewed certificate is used from the next connection on; following stops with the server. */
function followAgencyCertificates(app: FastifyInstance, tls: ServerTlsFiles, logger: Logger): void {
  const stop = followServerTls(app.server as unknown as TlsServer, tls, {
    onReload: () => logger.info({ certFile: tls.certFile }, 'TLS certificate reloaded'),
    onError: (error) =>
      logger.warn({ err: error }, 'TLS files changed but do not load: still serving the previous pair'),
  });
  app.addHook('onClose', async () => stop());
}

/** Creates the app and listens; the URL is that of its GraphQL endpoint. */
export async function startSubgraphServer(
  options: SubgraphServerOptions & { port: number; host?: string },
): Promise<RunningSubgraph> {
  const app = await createSubgraphApp(options);
  try {
    await app.listen({ port: options.port, host: options.host ?? '127.0.0.1' });
  } catch (error) {
    // Apollo is already started; stop it so a failed start leaves nothing running.
    await app.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    app,
    url: `${options.tls ? 'https' : 'http'}://${options.host ?? '127.0.0.1'}:${port}/graphql`,
    port,
    close: () => app.close(),
  };
}

/**
 * Unexpected resolver failures (no catalogued code: a bug, a broken database) are logged with the
 * call's request id, consumer and purpose, so the gateway's request id finds them. Catalogued
 * refusals are the client's business and stay out of the log; no data value is ever logged.
 */
function logUnexpectedErrors(): ApolloServerPlugin<SubgraphContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (isErrorCode(error.extensions?.code)) continue;
            (contextValue.logger ?? defaultLogger).error(
              { err: error.originalError ?? error, path: error.path },
              'resolver failed',
            );
          }
        },
      };
    },
  };
}

const defaultLogger = pino({ name: 'subgraph' });

/**
 * Errors with a catalogued code pass through; anything else is an unexpected failure, whose
 * message (which may hold SQL or paths) is hidden when masking is on.
 */
export function formatSubgraphError(formatted: GraphQLFormattedError, mask: boolean): GraphQLFormattedError {
  if (isErrorCode(formatted.extensions?.code)) return formatted;
  if (!mask) return formatted;
  return { ...formatted, message: 'Unexpected error in the subgraph.', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
