import type { FastifyRequest } from 'fastify';

/**
 * A per-request step computed at most once, whichever stage asks first: the APQ step needs the
 * consumer before Apollo Server runs, and the GraphQL context reuses that identification rather
 * than verifying the token twice.
 */
export function oncePerRequest<T>(
  compute: (request: FastifyRequest) => Promise<T>,
): (request: FastifyRequest) => Promise<T> {
  const results = new WeakMap<FastifyRequest, Promise<T>>();
  return (request) => {
    let result = results.get(request);
    if (!result) results.set(request, (result = compute(request)));
    return result;
  };
}
