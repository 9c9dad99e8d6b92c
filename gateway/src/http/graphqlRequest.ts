import type { FastifyRequest } from 'fastify';

/** The operations a GraphQL request carries: a GET's query string, a POST's body, or each member of a batch. */
export function graphqlOperationsOf(request: FastifyRequest): unknown[] {
  return request.method === 'GET' ? [request.query] : Array.isArray(request.body) ? request.body : [request.body];
}

/**
 * Apollo Server reads a GET's operation from the URL itself, not from Fastify's parsed query: a
 * stage that substitutes the operation's text puts the substitution there.
 */
export function putQueryInUrl(request: FastifyRequest): void {
  const search = new URLSearchParams(
    Object.entries(request.query as Record<string, unknown>).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
  request.raw.url = `${request.url.split('?')[0]}?${search.toString()}`;
}
