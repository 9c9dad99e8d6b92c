import type { GraphQLFormattedError } from 'graphql';
import { isErrorCode } from '@cdo-hub/contracts/errors';

export interface ErrorShapingOptions {
  /** Hide the message of errors that carry no catalogued code. */
  production: boolean;
  requestId: string;
  /**
   * Apollo Server already answered the request with a 4xx status: an error it raised without a
   * code of its own (e.g. "provided sha does not match query" or "Unsupported persisted query
   * version" for automatic persisted queries) is the client's mistake, not an unexpected failure.
   */
  clientError?: boolean;
}

/**
 * Brings every error a client sees into the catalogue: an error from a subgraph says which agency
 * it came from (`extensions.agency`), an error with no code in a request Apollo Server refused as
 * the client's mistake becomes BAD_REQUEST, and any other error with no catalogued code becomes
 * INTERNAL_SERVER_ERROR with the request id, its message hidden in production.
 */
export function shapeError(error: GraphQLFormattedError, options: ErrorShapingOptions): GraphQLFormattedError {
  const { serviceName, code, ...extensions } = error.extensions ?? {};
  const agency = typeof serviceName === 'string' ? { agency: serviceName } : {};
  if (isErrorCode(code) && code !== 'INTERNAL_SERVER_ERROR') {
    return { ...error, extensions: { ...extensions, code, ...agency } };
  }
  // Apollo Server gives every error it formats a code, INTERNAL_SERVER_ERROR when it was raised without one.
  if (options.clientError && (code === undefined || code === 'INTERNAL_SERVER_ERROR')) {
    return { ...error, extensions: { ...extensions, code: 'BAD_REQUEST', ...agency } };
  }
  const original = options.production ? {} : { originalCode: code, ...extensions };
  return {
    ...error,
    message: options.production ? 'Unexpected error; quote the request id when reporting it.' : error.message,
    extensions: { ...original, code: 'INTERNAL_SERVER_ERROR', requestId: options.requestId, ...agency },
  };
}
