import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { cdoAgency, cdoRole, type Identity } from '../consumers';
import { DisputeError, disputeEvidence, type DisputeService, type DisputeSync } from '../disputes';
import type { TokenVerifier } from '../identity';
import type { PolicyRuntime } from '../policy';
import { AdminError, adminIdentity, handle, parseBody } from './adminRoutes';

const fileBody = z
  .object({
    coordinate: z.string().min(1).max(200),
    key: z.string().min(1).max(200),
    claim: z.string().min(1).max(4000),
    purpose: z.string().min(1).optional(),
    evidence: z
      .object({
        name: z.string().min(1).max(200),
        contentBase64: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64'),
      })
      .strict()
      .optional(),
  })
  .strict();
const answerBody = z
  .object({
    outcome: z.string().min(1),
    reason: z.string().min(1).max(4000),
    /** Who answers, for the agency (recorded beside the token's consumer). */
    by: z.string().min(1).max(200).optional(),
  })
  .strict();
const listQuery = z
  .object({
    agency: z.string().min(1).optional(),
    status: z.enum(['open', 'overdue', 'all']).default('all'),
  })
  .strict();

/**
 * Disputes over the admin API (JSON, the catalogue's error shape):
 *
 * - `POST /admin/disputes {coordinate, key, claim, purpose?, evidence?: {name, contentBase64}}`: a
 *   consumer disputes a value it may read, for itself only (the token names it);
 * - `GET /admin/disputes[?agency=A][&status=open|overdue|all]`: agency A's disputes for its CDO
 *   (`cdo:A`), or, without `agency`, the caller's own;
 * - `GET /admin/disputes/:id`: one dispute whole, evidence included, for its agency's CDO or the
 *   consumer that filed it (anyone else: `404`);
 * - `POST /admin/disputes/:id/answer {outcome, reason, by?}`: the owning agency's CDO answers
 *   `confirmed`, `corrected` or `rejected`, once.
 *
 * A filing or an answer is applied to this gateway (answers name the dispute; a correction purges
 * the caches) before the response is sent.
 */
export function registerDisputeRoutes(
  app: FastifyInstance,
  deps: { disputes: DisputeService; sync: DisputeSync; policies: PolicyRuntime; verify: TokenVerifier },
): void {
  const who = (request: FastifyRequest) => adminIdentity(request, deps);
  const cdoOf = (identity: Identity) => identity.roles.flatMap((role) => cdoAgency(role) ?? []);

  app.post(
    '/admin/disputes',
    handle(async (request, reply) => {
      const identity = await who(request);
      const body = parseBody(fileBody, request.body, 'DISPUTE_INVALID');
      if (identity.purposeBound && body.purpose !== undefined && body.purpose !== identity.purpose)
        throw new AdminError(
          'PURPOSE_MISMATCH',
          `The token was issued for purpose "${identity.purpose}" and binds it; this dispute names "${body.purpose}".`,
        );
      const evidence = body.evidence
        ? disputeEvidence(body.evidence.name, Buffer.from(body.evidence.contentBase64, 'base64'))
        : undefined;
      if (evidence && !evidence.ok) throw new DisputeError(evidence.code, evidence.message);
      const purpose = body.purpose ?? identity.purpose;
      const dispute = await deps.disputes.file({
        consumer: identity.consumer.id,
        ...(purpose ? { purpose } : {}),
        coordinate: body.coordinate,
        key: body.key,
        claim: body.claim,
        ...(evidence?.ok ? { evidence: evidence.evidence } : {}),
        filedBy: identity.consumer.id,
      });
      await deps.sync.sync();
      const { evidence: kept, ...rest } = dispute;
      return reply.code(201).send({
        dispute: {
          ...rest,
          ...(kept ? { evidence: { name: kept.name, bytes: kept.bytes, sha256: kept.sha256 } } : {}),
        },
      });
    }),
  );

  app.get(
    '/admin/disputes',
    handle(async (request) => {
      const identity = await who(request);
      const query = parseBody(listQuery, request.query, 'DISPUTE_INVALID');
      if (query.agency && !cdoOf(identity).includes(query.agency))
        throw new AdminError('FORBIDDEN', `listing ${query.agency}'s disputes takes the role ${cdoRole(query.agency)}`);
      const filter = query.agency ? { agency: query.agency } : { consumer: identity.consumer.id };
      return { disputes: await deps.disputes.list({ ...filter, status: query.status }) };
    }),
  );

  app.get<{ Params: { id: string } }>(
    '/admin/disputes/:id',
    handle(async (request) => {
      const identity = await who(request);
      const id = (request.params as { id: string }).id;
      return { dispute: await deps.disputes.get(id, { agencies: cdoOf(identity), consumer: identity.consumer.id }) };
    }),
  );

  app.post<{ Params: { id: string } }>(
    '/admin/disputes/:id/answer',
    handle(async (request) => {
      const identity = await who(request);
      const body = parseBody(answerBody, request.body, 'DISPUTE_INVALID');
      const dispute = await deps.disputes.answer((request.params as { id: string }).id, {
        outcome: body.outcome,
        reason: body.reason,
        by: body.by ? `${body.by} (${identity.consumer.id})` : identity.consumer.id,
        actingFor: cdoOf(identity),
      });
      await deps.sync.sync();
      const { evidence: _evidence, ...answered } = dispute;
      return { dispute: answered };
    }),
  );
}
