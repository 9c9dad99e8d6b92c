import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config';
import type { HubGateway } from '../execution';
import type { GatewayContext } from '../requestState';
import { listSizePlugin } from '../limits';
import { KnownOperationTypesRule } from '../validation';
import { recodeHttpRefusal } from './errorShaping';
import { APOLLO_FORGETFUL_APQ } from './scopedApqHook';

/** Apollo Server over the hub's gateway, with the request path's Apollo plugins (`plugins`). */
export function createApolloServer(options: {
  config: GatewayConfig;
  gateway: HubGateway;
  logger: Logger;
  plugins: ApolloServerPlugin<GatewayContext>[];
}): ApolloServer<GatewayContext> {
  const { config } = options;
  return new ApolloServer<GatewayContext>({
    gateway: options.gateway,
    logger: options.logger,
    introspection: true,
    // Several operations in one HTTP request, each enforced on its own (issue 9 bounds the length).
    allowBatchedHttpRequests: true,
    // graphql-js 16 lets a `subscription` through validation; the planner would then throw on it.
    validationRules: [KnownOperationTypesRule],
    // The process's own handlers stop Fastify, which stops Apollo; Apollo's would race them.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: config.debugErrors,
    // Automatic Persisted Queries (registrations scoped to the consumer: scopedApqHook.ts) unless turned off, or replaced by the allow-list.
    persistedQueries: config.persistedOperations === 'apq' ? APOLLO_FORGETFUL_APQ : false,
    // Shape limits are checked before Apollo Server sees the request (requestGateHook.ts); the
    // token bound stops the parser itself.
    parseOptions: { maxTokens: config.maxTokens },
    // Apollo Server's own refusals carry BAD_REQUEST whatever their status; 405 and 406 have codes of their own.
    formatError: recodeHttpRefusal,
    plugins: [ApolloServerPluginLandingPageDisabled(), listSizePlugin(config.limits), ...options.plugins],
  });
}
