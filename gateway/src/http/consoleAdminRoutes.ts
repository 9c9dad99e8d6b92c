import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { approvalChoices, grantRegister } from '../console';
import { cdoAgency, cdoRole, type Identity } from '../consumers';
import type { GrantService } from '../grants';
import type { TokenVerifier } from '../identity';
import type { PolicyRuntime } from '../policy';
import { AdminError, adminIdentity, handle } from './adminRoutes';

const registerQuery = z.object({ agency: z.string().min(1) }).strict();

/**
 * Two read-only admin routes the console needs beside the grant workflow's, both for an agency's
 * CDO only (the role `cdo:<agency>`), so a CDO sees nothing of another agency through them:
 *
 * - `GET /admin/grant-requests/:id/choices`: what the approval form offers for a request — per
 *   field its type and the masks that fit it, and the row-scope dimensions;
 * - `GET /admin/grant-register?agency=A`: every grant of the agency, from its policy file and the
 *   grant store, marked by source, with status and history.
 */
export function registerConsoleAdminRoutes(
  app: FastifyInstance,
  deps: { grants: GrantService; policies: PolicyRuntime; verify: TokenVerifier },
): void {
  const cdoOf = (identity: Identity) => identity.roles.flatMap((role) => cdoAgency(role) ?? []);

  app.get<{ Params: { id: string } }>(
    '/admin/grant-requests/:id/choices',
    handle(async (request) => {
      const identity = await adminIdentity(request, deps);
      const id = (request.params as { id: string }).id;
      const found = (await deps.grants.store.read()).requests.find((r) => r.id === id);
      // An unknown id and another agency's request answer alike, so the route tells no one which ids exist.
      if (!found || !cdoOf(identity).includes(found.agency))
        throw new AdminError('GRANT_NOT_FOUND', `no grant request "${id}" for the agencies you decide for`);
      return approvalChoices(deps.policies.current(), found);
    }),
  );

  app.get(
    '/admin/grant-register',
    handle(async (request) => {
      const identity = await adminIdentity(request, deps);
      const parsed = registerQuery.safeParse(request.query ?? {});
      if (!parsed.success)
        throw new AdminError('ADMIN_REQUEST_INVALID', 'name the agency: /admin/grant-register?agency=AGENCY');
      const { agency } = parsed.data;
      if (!cdoOf(identity).includes(agency))
        throw new AdminError('FORBIDDEN', `the register of ${agency}'s grants takes the role ${cdoRole(agency)}`);
      return {
        agency,
        grants: grantRegister(deps.policies.current(), await deps.grants.store.read(), agency, new Date()),
      };
    }),
  );
}
