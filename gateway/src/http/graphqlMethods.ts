import type { FastifyInstance } from 'fastify';
import { sendRefusal } from './refusal';

/** Other methods on the GraphQL route: 405 METHOD_NOT_ALLOWED with the ones it takes (`Allow`). */
export function refuseOtherGraphqlMethods(app: FastifyInstance): void {
  app.route({
    method: ['PUT', 'PATCH', 'DELETE'],
    url: '/graphql',
    handler: async (request, reply) => {
      reply.header('allow', 'GET, POST');
      return sendRefusal(
        request,
        reply,
        'METHOD_NOT_ALLOWED',
        `${request.method} is not a GraphQL request method: send queries with GET or POST, mutations with POST.`,
      );
    },
  });
}
