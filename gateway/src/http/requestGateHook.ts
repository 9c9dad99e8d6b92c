import type { FastifyInstance } from 'fastify';
import type { RequestGate } from '../limits';
import { sendRefusal } from './refusal';

/**
 * Batch length, variables size and each document's shape (`limits/requestLimits.ts`), checked
 * before Apollo Server parses anything: a breach is refused with its limit and the actual value.
 * Install after the stages that substitute operation texts (scoped APQ, allow-list).
 */
export function installRequestGate(app: FastifyInstance, gate: RequestGate): void {
  app.addHook('preHandler', async (request, reply) => {
    if (request.routeOptions.url !== '/graphql') return;
    const breach = gate(request.method, request.body, request.query);
    if (breach)
      return sendRefusal(request, reply, breach.code, breach.message, { limit: breach.limit, actual: breach.actual });
  });
}
