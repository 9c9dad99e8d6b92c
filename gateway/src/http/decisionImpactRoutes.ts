import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { replayImpact } from '../audit';
import { decisionPreview } from '../console';
import { cdoAgency, type Identity } from '../consumers';
import type { GrantService } from '../grants';
import type { TokenVerifier } from '../identity';
import type { PolicyRuntime, PolicySet } from '../policy';
import { AdminError, adminIdentity, handle, parseBody } from './adminRoutes';

const sinceDays = z.number().int().min(1).max(366).default(30);
const requestImpactBody = z
  .object({
    decision: z.enum(['approve', 'refuse']),
    masks: z.record(z.string(), z.string()).optional(),
    expires: z.string().optional(),
    scope: z.record(z.string(), z.string()).optional(),
    addFields: z.array(z.string().min(1)).optional(),
    sinceDays,
  })
  .strict();
const revokeImpactBody = z.object({ sinceDays }).strict();

/**
 * Impact before confirming, for the console: what a grant decision would do to the operations
 * consumers sent recently — the same replay `hub grant approve --dry-run` and `hub policy impact`
 * print (replayImpact → policyImpact), cut to what the deciding agency's CDO may read
 * (decisionPreview). Nothing is decided here; the decision's own checks (agency, separation of
 * duties, a valid expiry and masks) run as they would on confirming, so a refusal shows before it.
 *
 * - `POST /admin/grant-requests/:id/impact` `{decision: approve|refuse, expires?, masks?, scope?, addFields?, sinceDays?}`
 * - `POST /admin/grants/:id/impact` `{sinceDays?}`: a revocation of a store grant.
 *
 * Both take the role `cdo:<owning agency>`; another agency's request or grant answers 404 like an
 * unknown one.
 */
export function registerDecisionImpactRoutes(
  app: FastifyInstance,
  deps: {
    grants: GrantService;
    policies: PolicyRuntime;
    verify: TokenVerifier;
    auditDir: string;
    auditFromRedis: boolean;
  },
): void {
  const cdoOf = (identity: Identity) => identity.roles.flatMap((role) => cdoAgency(role) ?? []);
  const decider = (identity: Identity) => ({
    by: identity.consumer.id,
    actingFor: cdoOf(identity),
    actingAs: [identity.consumer.id],
  });
  const parse = <T>(schema: z.ZodType<T>, request: FastifyRequest): T =>
    parseBody(schema, request.body, 'GRANT_REQUEST_INVALID');

  app.post<{ Params: { id: string } }>(
    '/admin/grant-requests/:id/impact',
    handle(async (request) => {
      const identity = await adminIdentity(request, deps);
      const id = (request.params as { id: string }).id;
      const body = parse(requestImpactBody, request);
      const found = (await deps.grants.store.read()).requests.find((r) => r.id === id);
      if (!found || !cdoOf(identity).includes(found.agency))
        throw new AdminError('GRANT_NOT_FOUND', `no grant request "${id}" for the agencies you decide for`);
      const preview: { before: PolicySet; after: PolicySet; grant?: { id: string } } =
        body.decision === 'approve'
          ? await deps.grants.previewApproval(id, {
              ...decider(identity),
              ...(body.masks ? { masks: body.masks } : {}),
              ...(body.expires ? { expires: body.expires } : {}),
              ...(body.scope ? { scope: body.scope } : {}),
              ...(body.addFields ? { addFields: body.addFields } : {}),
            })
          : await deps.grants.previewRefusal(id, { ...decider(identity), reason: 'preview' });
      const replayed = await replayImpact(deps.auditDir, preview.before, preview.after, {
        sinceDays: body.sinceDays,
      });
      return decisionPreview(
        {
          decision: body.decision,
          target: id,
          agency: found.agency,
          consumer: found.consumer,
          ...(preview.grant ? { grantId: preview.grant.id } : {}),
        },
        replayed,
        preview.after,
        deps.auditFromRedis,
      );
    }),
  );

  app.post<{ Params: { id: string } }>(
    '/admin/grants/:id/impact',
    handle(async (request) => {
      const identity = await adminIdentity(request, deps);
      const id = (request.params as { id: string }).id;
      const body = parse(revokeImpactBody, request);
      const stored = (await deps.grants.store.read()).grants.find((g) => g.id === id);
      if (!stored || !cdoOf(identity).includes(stored.agency))
        throw new AdminError('GRANT_NOT_FOUND', `no grant "${id}" in the grant store for the agencies you decide for`);
      const preview = await deps.grants.previewRevocation(id, { ...decider(identity), reason: 'preview' });
      const replayed = await replayImpact(deps.auditDir, preview.before, preview.after, {
        sinceDays: body.sinceDays,
      });
      return decisionPreview(
        { decision: 'revoke', target: id, agency: stored.agency, consumer: stored.consumer, grantId: id },
        replayed,
        preview.after,
        deps.auditFromRedis,
      );
    }),
  );
}
