import { ERROR_CATALOGUE, type ErrorCode } from './catalogue';
import { awaitUnreadBody, type UnreadBody } from './unreadBody';

export interface HttpErrorResponse {
  status: number;
  body: { errors: { message: string; extensions: { code: ErrorCode } }[] };
}

/** Client-error statuses with a code of their own; any other 4xx is a BAD_REQUEST. */
const STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  431: 'HEADERS_TOO_LARGE',
};

/**
 * An HTTP-level failure (bad JSON, wrong content type, oversized body, a bug) as a catalogued
 * GraphQL error response, for the gateway and every subgraph alike. Unexpected failures keep
 * their message out of the response.
 */
export function httpErrorResponse(statusCode: number | undefined, message: string): HttpErrorResponse {
  const status = statusCode && statusCode >= 400 && statusCode < 500 ? statusCode : 500;
  const code: ErrorCode = status >= 500 ? 'INTERNAL_SERVER_ERROR' : (STATUS_CODES[status] ?? 'BAD_REQUEST');
  return {
    status: ERROR_CATALOGUE[code].httpStatus,
    body: { errors: [{ message: status < 500 ? message : 'Unexpected error.', extensions: { code } }] },
  };
}

/** A refusal with a catalogued code, its status taken from the catalogue. */
export function codedErrorResponse(
  code: ErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
): { status: number; body: { errors: { message: string; extensions: Record<string, unknown> }[] } } {
  return {
    status: ERROR_CATALOGUE[code].httpStatus,
    body: { errors: [{ message, extensions: { ...extensions, code } }] },
  };
}

/**
 * The media type of an error answer: GraphQL over HTTP's `application/graphql-response+json`
 * when the client prefers it, otherwise `application/json` (which every client reads).
 */
export function errorContentType(accept: string | undefined): string {
  if (!accept) return 'application/json; charset=utf-8';
  const graphqlResponse = /application\/graphql-response\+json\s*(;\s*q=([\d.]+))?/i.exec(accept);
  const json = /application\/json\s*(;\s*q=([\d.]+))?/i.exec(accept);
  const weight = (match: RegExpExecArray | null) => (match ? Number(match[2] ?? 1) : -1);
  return weight(graphqlResponse) > weight(json)
    ? 'application/graphql-response+json; charset=utf-8'
    : 'application/json; charset=utf-8';
}

/**
 * What a server answers when Node's HTTP parser refuses a request before any route sees it
 * (headers too large, a request that took too long to arrive, bytes that are not HTTP): the
 * same coded body as every other refusal, then the connection is closed. For Fastify's
 * `clientErrorHandler`.
 */
export function answerClientError(
  error: Error & { code?: string },
  socket: { destroyed: boolean; writable: boolean; write(data: string): unknown; destroy(error?: Error): unknown },
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, label, code, message]: [number, string, ErrorCode, string] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          'Request Header Fields Too Large',
          'HEADERS_TOO_LARGE',
          'The request headers are larger than this server reads.',
        ]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'REQUEST_TIMEOUT', 'The request did not arrive in time.']
        : [400, 'Bad Request', 'BAD_REQUEST', 'The request is not valid HTTP.'];
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${label}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy(error);
}

/** The answer to a route that does not exist. */
export function notFoundResponse(method: string, url: string): HttpErrorResponse {
  return {
    status: 404,
    body: { errors: [{ message: `No route ${method} ${url.split('?')[0]}.`, extensions: { code: 'NOT_FOUND' } }] },
  };
}

type Reply = { code(status: number): { type(contentType: string): { send(body: unknown): unknown } } };

/**
 * Installs both answers on a Fastify server — the gateway's and every subgraph's — so HTTP-level
 * refusals have one shape everywhere. Typed structurally: the errors module stays free of Fastify.
 */
export function installHttpErrorHandlers(
  app: {
    setErrorHandler(
      handler: (
        error: { statusCode?: number; message: string },
        request: { headers: { accept?: string | undefined }; raw: UnreadBody },
        reply: Reply,
      ) => unknown,
    ): unknown;
    setNotFoundHandler(
      handler: (
        request: { method: string; url: string; headers: { accept?: string | undefined } },
        reply: Reply,
      ) => unknown,
    ): unknown;
  },
  logger: { error(details: object, message: string): void },
): void {
  app.setErrorHandler(async (error, request, reply) => {
    const response = httpErrorResponse(error.statusCode, error.message);
    if (response.status >= 500) logger.error({ err: error }, 'unexpected HTTP error');
    // A body refused before it was read (too large, a media type nobody parses): its answer waits
    // for the upload to end, or the client would see a reset instead (unreadBody.ts).
    await awaitUnreadBody(request.raw);
    return reply.code(response.status).type(errorContentType(request.headers.accept)).send(response.body);
  });
  app.setNotFoundHandler((request, reply) => {
    const response = notFoundResponse(request.method, request.url);
    return reply.code(response.status).type(errorContentType(request.headers.accept)).send(response.body);
  });
}
