import type { GraphQLFormattedError } from 'graphql';
import type { GatewayConfig } from '../config';
import { ERROR_CATALOGUE, isErrorCode, shapeError } from '../errors';
import type { ResponseStage } from './responseStages';

/**
 * Shapes every error of an answer into the catalogue (`errors/shapeErrors.ts`: unexpected ones
 * masked in production, the agency named), strips validation suggestions (they could name fields
 * the consumer's own schema hides), and gives a refused operation its catalogued status.
 */
export function errorShapingStage(config: Pick<GatewayConfig, 'production'>): ResponseStage {
  return {
    willSendResponse({ response, contextValue: context }) {
      const body = response.body;
      if (body.kind !== 'single' || !body.singleResult.errors) return;
      const status = response.http.status;
      const clientError = status !== undefined && status >= 400 && status < 500;
      body.singleResult.errors = body.singleResult.errors.map((error) => {
        const shaped = shapeError(error, { production: config.production, requestId: context.requestId, clientError });
        return shaped.extensions?.code === 'GRAPHQL_VALIDATION_FAILED'
          ? { ...shaped, message: shaped.message.replace(/ Did you mean .*\?$/, '') }
          : shaped;
      });
      const refusal =
        body.singleResult.data == null
          ? body.singleResult.errors
              .map((e) => e.extensions?.code)
              .find((code) => isErrorCode(code) && ERROR_CATALOGUE[code].httpStatus !== 200)
          : undefined;
      // Apollo Server answers a data-less result with 200 or 400; a catalogued refusal knows better.
      if (refusal && isErrorCode(refusal) && [undefined, 200, 400].includes(response.http.status))
        response.http.status = ERROR_CATALOGUE[refusal].httpStatus;
    },
  };
}

/** Apollo Server's 405 (a mutation over GET) and 406 (an Accept it cannot honour) under their own catalogued codes (its `formatError`). */
export function recodeHttpRefusal(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  if (formatted.extensions?.code !== 'BAD_REQUEST') return formatted;
  const status = (error as { extensions?: { http?: { status?: number } } } | undefined)?.extensions?.http?.status;
  const code = status === 405 ? 'METHOD_NOT_ALLOWED' : status === 406 ? 'NOT_ACCEPTABLE' : undefined;
  return code ? { ...formatted, extensions: { ...formatted.extensions, code } } : formatted;
}
