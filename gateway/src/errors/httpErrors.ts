import { STATUS_CODES } from 'node:http';
import { ERROR_CATALOGUE, type ErrorCode } from './catalogue';

export interface HttpErrorResponse {
  status: number;
  body: { errors: { message: string; extensions: { code: ErrorCode } }[] };
}

/**
 * An HTTP-level failure (bad JSON, wrong content type, oversized body, a bug) as a catalogued
 * GraphQL error response, for the gateway and every subgraph alike. Unexpected failures keep
 * their message out of the response.
 */
export function httpErrorResponse(statusCode: number | undefined, message: string): HttpErrorResponse {
  const status = statusCode && statusCode >= 400 && statusCode < 500 ? statusCode : 500;
  const code: ErrorCode = status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR';
  return { status: ERROR_CATALOGUE[code].httpStatus, body: { errors: [{ message: status < 500 ? message : 'Unexpected error.', extensions: { code } }] } };
}

/** The answer to a route that does not exist. */
export function notFoundResponse(method: string, url: string): HttpErrorResponse {
  return { status: 404, body: { errors: [{ message: `No route ${method} ${url.split('?')[0]}.`, extensions: { code: 'NOT_FOUND' } }] } };
}

/** The socket of a request Node's HTTP parser refused, as far as the answer needs it. */
export interface RefusedSocket {
  readonly destroyed: boolean;
  readonly writable: boolean;
  write(data: string): unknown;
  destroy(error?: Error): void;
}

/**
 * Fastify's `clientErrorHandler`: a request Node's HTTP parser refuses before any route sees it
 * (headers over the size limit, a malformed request line, bad chunking, a request that took too
 * long) is answered with a catalogued error too, not Fastify's default `{ error, message,
 * statusCode }`. As Node and Fastify do, the answer is written raw and the connection closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: RefusedSocket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const message =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 'The request headers are larger than the hub accepts.'
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'The request did not arrive in time.'
        : 'The request is not valid HTTP/1.1.';
  const response = httpErrorResponse(400, message);
  const body = JSON.stringify(response.body);
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(error);
}

/**
 * Installs both answers on a Fastify server — the gateway's and every subgraph's — so HTTP-level
 * refusals have one shape everywhere. Typed structurally: the errors module stays free of Fastify.
 */
export function installHttpErrorHandlers(
  app: {
    setErrorHandler(handler: (error: { statusCode?: number; message: string }, request: unknown, reply: { code(status: number): { send(body: unknown): unknown } }) => unknown): unknown;
    setNotFoundHandler(handler: (request: { method: string; url: string }, reply: { code(status: number): { send(body: unknown): unknown } }) => unknown): unknown;
  },
  logger: { error(details: object, message: string): void },
): void {
  app.setErrorHandler((error, _request, reply) => {
    const response = httpErrorResponse(error.statusCode, error.message);
    if (response.status >= 500) logger.error({ err: error }, 'unexpected HTTP error');
    return reply.code(response.status).send(response.body);
  });
  app.setNotFoundHandler((request, reply) => {
    const response = notFoundResponse(request.method, request.url);
    return reply.code(response.status).send(response.body);
  });
}
