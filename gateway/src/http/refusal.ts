import type { FastifyReply, FastifyRequest } from 'fastify';
import { codedErrorResponse, errorContentType, type ErrorCode } from '../errors';

/**
 * Refuses a request before Apollo Server sees it, in the GraphQL error shape with its catalogued
 * code and status, in the content type the client accepts.
 */
export function sendRefusal(
  request: FastifyRequest,
  reply: FastifyReply,
  code: ErrorCode,
  message: string,
  extensions?: Record<string, unknown>,
): FastifyReply {
  const refusal = codedErrorResponse(code, message, extensions);
  return reply.code(refusal.status).type(errorContentType(request.headers.accept)).send(refusal.body);
}
