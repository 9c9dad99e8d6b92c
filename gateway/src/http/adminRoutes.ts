import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ERROR_CATALOGUE, type ErrorCode } from '../errors';
import type { ResponseCache } from '../cache';
import { DisputeError } from '../disputes';
import { GrantWorkflowError, type GrantService, type GrantSync } from '../grants';
import { cdoAgency, cdoRole, HUB_OPERATOR_ROLE, type Identity } from '../consumers';
import { identify, type TokenVerifier } from '../identity';
import { MAX_CASE_PATTERN_LENGTH, type PolicyRuntime } from '../policy';

const requestBody = z
  .object({
    fields: z.union([
      z.array(z.string().min(1)).min(1),
      z
        .string()
        .min(1)
        .transform((s) =>
          s
            .split(',')
            .map((f) => f.trim())
            .filter(Boolean),
        ),
    ]),
    purpose: z.string().min(1).optional(),
    reason: z.string().min(1),
    scope: z.record(z.string(), z.string()).optional(),
    until: z.string().optional(),
    agency: z.string().optional(),
  })
  .strict();
const approveBody = z
  .object({
    by: z.string().min(1).optional(),
    masks: z.record(z.string(), z.string()).optional(),
    expires: z.string().optional(),
    /** The row scope the grant carries, replacing the one requested (`{}`: none). */
    scope: z.record(z.string(), z.string()).optional(),
    /** Parent fields granted too, so the requested ones can be reached (the console's impact preview offers them). */
    addFields: z.array(z.string().min(1)).optional(),
    /** Requests under the grant must name their case (`x-case-id`), in `casePattern`'s format when given. */
    requireCase: z.boolean().optional(),
    casePattern: z.string().min(1).max(MAX_CASE_PATTERN_LENGTH).optional(),
    /** Days the consumer may keep what it received once the grant ends. */
    retainDays: z.number().int().min(0).max(3650).optional(),
  })
  .strict();
const reasonBody = z.object({ by: z.string().min(1).optional(), reason: z.string().min(1) }).strict();
const listQuery = z.object({
  agency: z.string().optional(),
  status: z.enum(['pending', 'overdue', 'all']).default('all'),
});

/**
 * Who calls an admin route: a registered consumer's verified token (no purpose needed). identify()
 * has refused any token claiming a role its consumer does not hold (ROLE_NOT_HELD), so the roles
 * read here are the registry's.
 */
export async function adminIdentity(
  request: FastifyRequest,
  deps: { policies: PolicyRuntime; verify: TokenVerifier },
): Promise<Identity> {
  const purpose = request.headers['x-data-purpose'];
  const result = await identify(
    { authorization: request.headers.authorization, purpose: typeof purpose === 'string' ? purpose : undefined },
    { directory: deps.policies.current().consumers, verify: deps.verify, requireToken: true, purposeRequired: false },
  );
  if (!result.ok) throw new AdminError(result.code, result.message);
  return result.identity;
}

/** A body or query checked against its schema; what does not fit is refused with `code`, naming each problem. */
export function parseBody<T>(schema: z.ZodType<T>, value: unknown, code: ErrorCode): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success)
    throw new AdminError(
      code,
      parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  return parsed.data;
}

/** Runs an admin route; a refusal (ours, the grant workflow's or a dispute's) becomes a catalogued error response. */
export function handle(run: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      return await run(request, reply);
    } catch (error) {
      const code: ErrorCode | undefined =
        error instanceof AdminError || error instanceof GrantWorkflowError || error instanceof DisputeError
          ? error.code
          : undefined;
      if (!code) throw error;
      return reply
        .code(ERROR_CATALOGUE[code].httpStatus)
        .send({ errors: [{ message: (error as Error).message, extensions: { code } }] });
    }
  };
}

/**
 * The grant workflow over HTTP for apps (`/admin/...`, JSON): any registered consumer with a token
 * files requests for itself and reads its own; a token with the role `cdo:<agency>` lists, approves,
 * refuses and revokes that agency's — never a request it filed or one for itself (separation of
 * duties). Errors use the GraphQL error shape and the one catalogue. A decision taken here is
 * applied to this gateway's policies before the response is sent.
 */
export function registerAdminRoutes(
  app: FastifyInstance,
  deps: { grants: GrantService; sync: GrantSync; policies: PolicyRuntime; verify: TokenVerifier },
): void {
  const who = (request: FastifyRequest) => adminIdentity(request, deps);
  const cdoOf = (identity: Identity) => identity.roles.flatMap((role) => cdoAgency(role) ?? []);
  const actor = (identity: Identity, by: string | undefined) =>
    by ? `${by} (${identity.consumer.id})` : identity.consumer.id;
  // Separation of duties compares every name the caller acts under with the request's filer and consumer.
  const actingAs = (identity: Identity, by: string | undefined) => [identity.consumer.id, ...(by ? [by] : [])];
  const parse = <T>(schema: z.ZodType<T>, value: unknown) => parseBody(schema, value, 'GRANT_REQUEST_INVALID');

  app.post(
    '/admin/grant-requests',
    handle(async (request, reply) => {
      const identity = await who(request);
      const body = parse(requestBody, request.body);
      // A token's purpose claim binds here too: a token issued for one purpose files no request for another.
      if (identity.purposeBound && body.purpose !== undefined && body.purpose !== identity.purpose) {
        throw new AdminError(
          'PURPOSE_MISMATCH',
          `The token was issued for purpose "${identity.purpose}" and binds it; this request names "${body.purpose}".`,
        );
      }
      const purpose = body.purpose ?? identity.purpose;
      if (!purpose)
        throw new AdminError(
          'GRANT_REQUEST_INVALID',
          'state the purpose the data is for (`purpose` in the body or the x-data-purpose header)',
        );
      const step = await deps.grants.request({
        consumer: identity.consumer.id,
        fields: body.fields,
        purpose,
        reason: body.reason,
        requestedBy: identity.consumer.id,
        ...(body.scope ? { scope: body.scope } : {}),
        ...(body.until ? { until: body.until } : {}),
        ...(body.agency ? { agency: body.agency } : {}),
      });
      await deps.sync.sync();
      return reply.code(201).send({ request: step.result, warnings: step.warnings });
    }),
  );

  app.get(
    '/admin/grant-requests',
    handle(async (request) => {
      const identity = await who(request);
      const query = parse(listQuery, request.query);
      const agencies = cdoOf(identity);
      if (query.agency && !agencies.includes(query.agency))
        throw new AdminError('FORBIDDEN', `listing ${query.agency}'s requests takes the role ${cdoRole(query.agency)}`);
      // A CDO sees the agency's requests; anyone else sees its own.
      const filter = query.agency ? { agency: query.agency } : { consumer: identity.consumer.id };
      return { requests: await deps.grants.list({ ...filter, status: query.status }) };
    }),
  );

  app.post<{ Params: { id: string } }>(
    '/admin/grant-requests/:id/approve',
    handle(async (request) => {
      const identity = await who(request);
      const body = parse(approveBody, request.body);
      const step = await deps.grants.approve((request.params as { id: string }).id, {
        by: actor(identity, body.by),
        actingFor: cdoOf(identity),
        actingAs: actingAs(identity, body.by),
        ...(body.masks ? { masks: body.masks } : {}),
        ...(body.expires ? { expires: body.expires } : {}),
        ...(body.scope ? { scope: body.scope } : {}),
        ...(body.addFields ? { addFields: body.addFields } : {}),
        ...(body.requireCase !== undefined ? { requireCase: body.requireCase } : {}),
        ...(body.casePattern !== undefined ? { casePattern: body.casePattern } : {}),
        ...(body.retainDays !== undefined ? { retainDays: body.retainDays } : {}),
      });
      await deps.sync.sync();
      return { grant: step.result, warnings: step.warnings };
    }),
  );

  app.post<{ Params: { id: string } }>(
    '/admin/grant-requests/:id/refuse',
    handle(async (request) => {
      const identity = await who(request);
      const body = parse(reasonBody, request.body);
      const step = await deps.grants.refuse((request.params as { id: string }).id, {
        by: actor(identity, body.by),
        reason: body.reason,
        actingFor: cdoOf(identity),
        actingAs: actingAs(identity, body.by),
      });
      await deps.sync.sync();
      return { request: step.result };
    }),
  );

  app.post<{ Params: { id: string } }>(
    '/admin/grants/:id/revoke',
    handle(async (request) => {
      const identity = await who(request);
      const body = parse(reasonBody, request.body);
      const step = await deps.grants.revoke((request.params as { id: string }).id, {
        by: actor(identity, body.by),
        reason: body.reason,
        actingFor: cdoOf(identity),
        actingAs: actingAs(identity, body.by),
      });
      await deps.sync.sync();
      return { grant: step.result };
    }),
  );

  app.get(
    '/admin/grants',
    handle(async (request) => {
      const identity = await who(request);
      const query = parse(listQuery, request.query);
      if (query.agency && !cdoOf(identity).includes(query.agency))
        throw new AdminError('FORBIDDEN', `listing ${query.agency}'s grants takes the role ${cdoRole(query.agency)}`);
      return {
        grants: await deps.grants.grants(query.agency ? { agency: query.agency } : { consumer: identity.consumer.id }),
      };
    }),
  );
}

const invalidateBody = z
  .object({
    type: z.string().regex(/^[A-Za-z_]\w*$/),
    key: z.string().min(1).optional(),
  })
  .strict();

/**
 * `POST /admin/cache/invalidate {type, key?}`: purges every cached response holding that entity
 * (or, without a key, any entity of the type). Takes the role `hub-operator`, or `cdo:<agency>` of
 * an agency that resolves the type. `hub cache invalidate` calls it.
 */
export function registerCacheAdminRoutes(
  app: FastifyInstance,
  deps: { cache: ResponseCache; policies: PolicyRuntime; verify: TokenVerifier },
): void {
  app.post(
    '/admin/cache/invalidate',
    handle(async (request) => {
      const identity = await adminIdentity(request, deps);
      const { type, key } = parseBody(invalidateBody, request.body, 'ADMIN_REQUEST_INVALID');
      const policySet = deps.policies.current();
      const owners = policySet.ownership.types.get(type);
      if (!owners || !policySet.schema.getType(type))
        throw new AdminError('ADMIN_REQUEST_INVALID', `unknown type "${type}"`);
      if (
        !identity.roles.includes(HUB_OPERATOR_ROLE) &&
        !owners.some((agency) => identity.roles.includes(cdoRole(agency)))
      ) {
        throw new AdminError(
          'FORBIDDEN',
          `invalidating ${type} takes the role ${HUB_OPERATOR_ROLE} or ${owners.map(cdoRole).join(' / ')}`,
        );
      }
      const removed = await deps.cache.invalidate([{ type, ...(key ? { key } : {}) }]);
      return { removed, type, ...(key ? { key } : {}) };
    }),
  );
}

export class AdminError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}
