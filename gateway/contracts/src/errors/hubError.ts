import { GraphQLError } from 'graphql';
import { ERROR_CATALOGUE, type ErrorCode } from './catalogue';

/**
 * A GraphQL error carrying a catalogued code, for errors about one field: it travels beside
 * the data that could be served, so it never sets an HTTP status. Decision code returns these
 * as values; only the boundary throws them.
 */
export function hubError(
  code: ErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
  path?: readonly (string | number)[],
): GraphQLError {
  return new GraphQLError(message, { ...(path ? { path } : {}), extensions: { ...extensions, code } });
}

/**
 * An error that refuses the whole request (bad token, missing purpose…): it carries the
 * catalogue's HTTP status, which Apollo Server uses for the response.
 */
export function requestError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, {
    extensions: { ...extensions, code, http: { status: ERROR_CATALOGUE[code].httpStatus } },
  });
}
