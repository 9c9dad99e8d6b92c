import type { FastifyInstance } from 'fastify';
import type { ErrorCode } from '../errors';
import { parseJsonOrUndefined } from '../limits';
import type { AllowList } from '../persisted';
import { graphqlOperationsOf, putQueryInUrl } from './graphqlRequest';
import { sendRefusal } from './refusal';

/**
 * `PERSISTED_OPERATIONS=only`: each operation of a request is replaced by its registered text, or
 * the request is refused (`PERSISTED_QUERY_NOT_FOUND`, `PERSISTED_QUERY_REQUIRED`), before the
 * request gate and Apollo Server see it. Install after the scoped-APQ hook, before the gate.
 */
export function installAllowList(app: FastifyInstance, allowList: AllowList): void {
  app.addHook('preHandler', async (request, reply) => {
    if (request.routeOptions.url !== '/graphql') return;
    for (const operation of graphqlOperationsOf(request)) {
      if (!operation || typeof operation !== 'object') continue; // not a GraphQL request: Apollo Server says so
      const verdict = substituteRegistered(allowList, operation as Record<string, unknown>);
      if (verdict) return sendRefusal(request, reply, verdict.code, verdict.message);
    }
    if (request.method === 'GET') putQueryInUrl(request);
  });
}

/**
 * Puts an allow-listed operation's registered text in place of what was sent, and takes the
 * persisted-query extension away (Automatic Persisted Queries are off in this mode). Returns the
 * refusal when the operation is not on the list. The operation is a POST body or batch member, or
 * a GET's query string (whose `extensions` is JSON text).
 */
export function substituteRegistered(
  allowList: AllowList,
  operation: Record<string, unknown>,
): { code: ErrorCode; message: string } | undefined {
  const extensions =
    typeof operation.extensions === 'string' ? parseJsonOrUndefined(operation.extensions) : operation.extensions;
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
