import type { GraphQLFormattedError } from 'graphql';
import { isErrorCode } from './catalogue';

export interface ErrorShapingOptions {
  /** Hide the message of errors that carry no catalogued code. */
  production: boolean;
  requestId: string;
}

/**
 * Brings every error a client sees into the catalogue: an error from a subgraph says which agency
 * it came from (`extensions.agency`), and an error with no catalogued code becomes
 * INTERNAL_SERVER_ERROR with the request id, its message hidden in production.
 */
export function shapeError(error: GraphQLFormattedError, options: ErrorShapingOptions): GraphQLFormattedError {
  const { serviceName, code, ...extensions } = error.extensions ?? {};
  const agency = typeof serviceName === 'string' ? { agency: serviceName } : {};
  if (isErrorCode(code) && code !== 'INTERNAL_SERVER_ERROR') {
    return { ...error, extensions: { ...extensions, code, ...agency } };
  }
  const original = options.production ? {} : { originalCode: code, ...extensions };
  return {
    ...error,
    message: options.production ? 'Unexpected error; quote the request id when reporting it.' : error.message,
    extensions: { ...original, code: 'INTERNAL_SERVER_ERROR', requestId: options.requestId, ...agency },
  };
}
