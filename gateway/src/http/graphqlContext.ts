import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { requestError } from '../errors';
import { CASE_HEADER, readCaseHeader } from '../policy';
import { auditedRecordsOf, lazyChildLogger, type GatewayContext } from '../requestState';
import type { RequestIdentifier } from './identifyRequest';
import type { RequestRateLimit } from './rateLimit';

/**
 * Apollo Server's context for a GraphQL request (shared by the operations of a batch): the
 * request id, the asker's identity and a logger naming them. Identifies the asker (refusing a bad
 * token or purpose with its code) and counts the request against its rate limit first. Without
 * `identify` (`--open` mode) every request is unidentified, counted per address.
 */
export function graphqlContext(options: {
  identify?: RequestIdentifier | undefined;
  rateLimit: RequestRateLimit;
}): (request: FastifyRequest) => Promise<GatewayContext> {
  return async (request) => {
    const clientRequestId = request.headers['x-request-id'];
    const base = {
      requestId: String(request.id),
      ...(typeof clientRequestId === 'string' && clientRequestId.length <= 128 ? { clientRequestId } : {}),
    };
    if (!options.identify) {
      await options.rateLimit(request, undefined);
      return { ...base, logger: request.log as unknown as Logger };
    }
    const result = await options.identify(request);
    if (!result.ok) {
      await options.rateLimit(request, undefined);
      throw requestError(result.code, result.message);
    }
    const { identity } = result;
    await options.rateLimit(request, identity);
    const logger = lazyChildLogger(request.log as unknown as Logger, {
      consumer: identity.consumer.id,
      purpose: identity.purpose,
    });
    return {
      ...base,
      identity,
      requestCase: readCaseHeader(request.headers[CASE_HEADER]),
      logger,
      audited: auditedRecordsOf(request),
    };
  };
}
