import type { FastifyRequest } from 'fastify';
import { identify, type IdentityResult, type TokenVerifier } from '../identity';
import type { PolicyRuntime } from '../policy';
import { traceIdentity } from '../tracing';
import { oncePerRequest } from './oncePerRequest';

/** Who is asking, from a request's headers: at most once per request, whichever stage asks first. */
export type RequestIdentifier = (request: FastifyRequest) => Promise<IdentityResult>;

/**
 * The asker's identity from `Authorization` and `x-data-purpose`, against the consumer directory
 * in force. One identification per request: the scoped-APQ step needs the consumer before Apollo
 * Server runs, and the GraphQL context reuses it rather than verifying the token twice.
 */
export function requestIdentifier(options: {
  policies: PolicyRuntime;
  verify: TokenVerifier;
  requireToken: boolean;
}): RequestIdentifier {
  return oncePerRequest((request) => {
    const purpose = request.headers['x-data-purpose'];
    return traceIdentity(() =>
      identify(
        { authorization: request.headers.authorization, purpose: typeof purpose === 'string' ? purpose : undefined },
        { directory: options.policies.current().consumers, verify: options.verify, requireToken: options.requireToken },
      ),
    );
  });
}
