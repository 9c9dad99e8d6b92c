import type { ApolloServerPlugin, HTTPGraphQLHead } from '@apollo/server';
import type { FastifyInstance } from 'fastify';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import type { OperationView } from '../enforcement';
import type { GatewayContext, OperationRun } from '../requestState';
import type { PolicySet } from '../policy';
import {
  combineHttpCaching,
  decideHttpCaching,
  httpCachingHeaders,
  varyHeader,
  viewExposure,
  type HttpCaching,
  type ViewExposure,
} from './httpCaching';

/**
 * The members of a batch share one HTTP head: each merges its decision into what the others
 * decided, so the head always holds the strictest of them, whichever finishes last.
 */
const decided = new WeakMap<HTTPGraphQLHead, HttpCaching>();

/**
 * Sets `Cache-Control`, `Vary`, `Age` and `x-cache` on every GraphQL answer from the decision in
 * `httpCaching.ts`. Apollo Server's own cache-control header is turned off: it knows nothing of
 * sharing classes, and it would overwrite ours.
 */
export function httpCachingPlugins(options: {
  cors: boolean;
  runOf: (context: GatewayContext) => OperationRun | undefined;
}): ApolloServerPlugin<GatewayContext>[] {
  const vary = varyHeader(options);
  // Views are compiled once per policy version and reused: so is what they expose.
  const exposures = new WeakMap<OperationView, ViewExposure | undefined>();
  const exposureOf = (view: OperationView, policySet: PolicySet): ViewExposure | undefined => {
    if (!exposures.has(view)) exposures.set(view, viewExposure(view, policySet));
    return exposures.get(view);
  };
  return [
    ApolloServerPluginCacheControl({ calculateHttpHeaders: false }),
    {
      async requestDidStart() {
        return {
          async willSendResponse(requestContext) {
            const { response, contextValue: context, operation, request } = requestContext;
            const body = response.body;
            const decided = options.runOf(context)?.decided;
            const caching =
              body.kind === 'single'
                ? decideHttpCaching({
                    operationType: operation?.operation,
                    hasErrors: Boolean(body.singleResult.errors?.length),
                    identity: context.identity,
                    exposure: decided ? exposureOf(decided.view, decided.policySet) : undefined,
                    cache: decided?.cache,
                    namedByScopedHash: request.extensions?.persistedQuery !== undefined,
                  })
                : ({ directive: 'no-store', reason: 'incremental delivery' } as const);
            record(response.http, caching);
            response.http.headers.set('vary', vary);
          },
        };
      },
    },
  ];
}

/**
 * For a stage that turns an answer into a refusal after the decision was made (the audit trail
 * failing to record it): nothing may store it.
 */
export function forbidStoring(http: HTTPGraphQLHead, reason: string): void {
  record(http, { directive: 'no-store', reason });
}

function record(http: HTTPGraphQLHead, caching: HttpCaching): void {
  const previous = decided.get(http);
  const merged = previous ? combineHttpCaching(previous, caching) : caching;
  decided.set(http, merged);
  for (const [name, value] of httpCachingHeaders(merged)) http.headers.set(name, value);
}

/**
 * Whatever leaves the GraphQL route without a decision above — a refusal thrown while identifying
 * the asker or counting its rate (401, 403, 429), the request gate's and Fastify's own refusals —
 * goes out `no-store`: an answer nobody classified is stored by nobody.
 */
export function storeNothingUndecided(app: FastifyInstance, options: { cors: boolean }): void {
  const vary = varyHeader(options);
  app.addHook('onSend', async (request, reply) => {
    if (request.routeOptions.url !== '/graphql' && reply.statusCode < 400) return;
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    if (request.routeOptions.url === '/graphql' && !reply.hasHeader('vary')) reply.header('vary', vary);
  });
}
