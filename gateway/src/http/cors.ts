import fastifyCors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import { ANSWER_HEADERS } from './answerHeaders';

/** Cross-origin browser apps only from the origins an operator lists (`CORS_ORIGINS`); none by default. */
export async function installCors(app: FastifyInstance, origins: readonly string[]): Promise<void> {
  if (!origins.length) return;
  await app.register(fastifyCors, {
    origin: origins.includes('*') ? true : [...origins],
    methods: ['GET', 'POST'],
    allowedHeaders: [
      'authorization',
      'content-type',
      'accept',
      'x-data-purpose',
      'x-request-id',
      'apollo-require-preflight',
      'x-apollo-operation-name',
    ],
    exposedHeaders: ['x-request-id', 'retry-after', ...Object.values(ANSWER_HEADERS)],
    maxAge: 600,
  });
}
