import { GraphQLError } from 'graphql';
import { ERROR_CATALOGUE, type ErrorCode } from './catalogue';

/**
 * A GraphQL error carrying a catalogued code. Decision code returns these as values; only the
 * boundary throws them.
 */
export function hubError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  const { httpStatus } = ERROR_CATALOGUE[code];
  return new GraphQLError(message, {
    extensions: { ...extensions, code, ...(httpStatus === 200 ? {} : { http: { status: httpStatus } }) },
  });
}
