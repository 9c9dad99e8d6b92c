import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { cdoAgency, cdoRole, type Identity } from '../consumers';
import type { GrantService, GrantSync } from '../grants';
import type { TokenVerifier } from '../identity';
import type { PolicyRuntime } from '../policy';
import { AdminError, adminIdentity, handle, parseBody } from './adminRoutes';

const attestBody = z
  .object({
    /** Who attests, for the consumer (recorded beside the consumer's id). */
    by: z.string().min(1).max(200).optional(),
    note: z.string().max(2000).optional(),
  })
  .strict();
const listQuery = z.object({ agency: z.string().min(1).optional() }).strict();

/**
 * Time-bound holding over the admin API:
 *
 * - `POST /admin/grants/:id/attest-deletion {note?, by?}`: the consumer that held an ended grant
 *   with a retention period attests that it deleted what it received — with its own token, for its
 *   own grants only (another's answers `404`, as an unknown id does);
 * - `GET /admin/grant-attestations[?agency=A]`: the attestations owed — due, overdue, attested — for
 *   agency A's CDO (`cdo:A`), or, without `agency`, the caller's own.
 */
export function registerRetentionRoutes(
  app: FastifyInstance,
  deps: { grants: GrantService; sync: GrantSync; policies: PolicyRuntime; verify: TokenVerifier },
): void {
  const who = (request: FastifyRequest) => adminIdentity(request, deps);
  const cdoOf = (identity: Identity) => identity.roles.flatMap((role) => cdoAgency(role) ?? []);

  app.post<{ Params: { id: string } }>(
    '/admin/grants/:id/attest-deletion',
    handle(async (request, reply) => {
      const identity = await who(request);
      const body = parseBody(attestBody, request.body, 'GRANT_REQUEST_INVALID');
      const step = await deps.grants.attestDeletion({
        grantId: (request.params as { id: string }).id,
        consumer: identity.consumer.id,
        by: body.by ? `${body.by} (${identity.consumer.id})` : identity.consumer.id,
        ...(body.note ? { note: body.note } : {}),
      });
      await deps.sync.sync();
      return reply.code(201).send({ attestation: step.result });
    }),
  );

  app.get(
    '/admin/grant-attestations',
    handle(async (request) => {
      const identity = await who(request);
      const query = parseBody(listQuery, request.query, 'ADMIN_REQUEST_INVALID');
      if (query.agency && !cdoOf(identity).includes(query.agency))
        throw new AdminError(
          'FORBIDDEN',
          `the deletion attestations owed to ${query.agency} take the role ${cdoRole(query.agency)}`,
        );
      return {
        attestations: await deps.grants.attestations(
          query.agency ? { agency: query.agency } : { consumer: identity.consumer.id },
        ),
      };
    }),
  );
}
