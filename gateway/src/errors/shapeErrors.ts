import type { GraphQLFormattedError } from 'graphql';
import { isErrorCode, type ErrorCode } from '@cdo-hub/contracts/errors';

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
 * The codes only this function gives: they say "something failed unexpectedly", so whatever
 * already carries one (a subgraph's masked failure, Apollo's label for an uncoded subgraph error)
 * is shaped again rather than trusted with its message.
 */
const UNEXPECTED_CODES: ReadonlySet<ErrorCode> = new Set(['INTERNAL_SERVER_ERROR', 'DOWNSTREAM_SERVICE_ERROR']);

/**
 * Brings every error a client sees into the catalogue:
 * - a catalogued code passes through, and an error from a subgraph says which agency it came from
 *   (`extensions.agency`, Apollo's `serviceName`);
 * - an error from a subgraph with no catalogued code becomes DOWNSTREAM_SERVICE_ERROR, as Apollo
 *   clients expect, naming the agency and carrying the request id its logs share;
 * - an error with no code in a request Apollo Server refused as the client's mistake becomes
 *   BAD_REQUEST;
 * - any other error becomes INTERNAL_SERVER_ERROR with the request id.
 * Downstream and internal errors hide their message and extensions in production: an agency's
 * message or a stack may hold data values, SQL or paths.
 */
export function shapeError(error: GraphQLFormattedError, options: ErrorShapingOptions): GraphQLFormattedError {
  const { serviceName, code, ...extensions } = error.extensions ?? {};
  const agency = typeof serviceName === 'string' ? { agency: serviceName } : {};
  if (isErrorCode(code) && !UNEXPECTED_CODES.has(code)) {
    return { ...error, extensions: { ...extensions, code, ...agency } };
  }
  // Apollo's gateway codes an uncoded subgraph error DOWNSTREAM_SERVICE_ERROR; a subgraph's own
  // Apollo Server codes it INTERNAL_SERVER_ERROR (masked or not) before it leaves the agency.
  if (typeof serviceName === 'string') {
    const original = options.production
      ? {}
      : { ...extensions, ...(code !== undefined && code !== 'DOWNSTREAM_SERVICE_ERROR' ? { originalCode: code } : {}) };
    return {
      ...error,
      message: options.production
        ? `The ${serviceName} agency's subgraph failed here; quote the request id when reporting it.`
        : error.message,
      extensions: { ...original, code: 'DOWNSTREAM_SERVICE_ERROR', agency: serviceName, requestId: options.requestId },
    };
  }
  // Apollo Server gives every error it formats a code, INTERNAL_SERVER_ERROR when it was raised without one.
  if (options.clientError && (code === undefined || code === 'INTERNAL_SERVER_ERROR')) {
    return { ...error, extensions: { ...extensions, code: 'BAD_REQUEST' } };
  }
  const original = options.production ? {} : { originalCode: code, ...extensions };
  return {
    ...error,
    message: options.production ? 'Unexpected error; quote the request id when reporting it.' : error.message,
    extensions: { ...original, code: 'INTERNAL_SERVER_ERROR', requestId: options.requestId },
  };
}
