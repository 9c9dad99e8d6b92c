import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseSince, readAuditChains, type AuditRecord } from '../audit';
import { usageView } from '../console';
import { cdoAgency, cdoRole } from '../consumers';
import type { TokenVerifier } from '../identity';
import type { PolicyRuntime } from '../policy';
import { AdminError, adminIdentity, handle } from './adminRoutes';

const usageQuery = z
  .object({ agency: z.string().min(1), since: z.enum(['24h', '7d', '30d', '90d']).default('7d') })
  .strict();

export interface SupervisionDeps {
  policies: PolicyRuntime;
  verify: TokenVerifier;
  auditDir: string;
  auditFromRedis: boolean;
}

/** The agency a supervision route is asked about, once the caller is shown to be its CDO. */
export async function supervisedAgency<T extends { agency: string }>(
  request: FastifyRequest,
  deps: Pick<SupervisionDeps, 'policies' | 'verify'>,
  schema: z.ZodType<T>,
  route: string,
): Promise<T> {
  const identity = await adminIdentity(request, deps);
  const parsed = schema.safeParse(request.query ?? {});
  if (!parsed.success)
    throw new AdminError(
      'ADMIN_REQUEST_INVALID',
      `${route}?agency=AGENCY: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ')}`,
    );
  const agency = parsed.data.agency;
  if (!identity.roles.some((role) => cdoAgency(role) === agency))
    throw new AdminError('FORBIDDEN', `${route} for ${agency} takes the role ${cdoRole(agency)}`);
  return parsed.data;
}

/**
 * `GET /admin/usage?agency=A&since=24h|7d|30d|90d`: the usage report of `hub audit report` as the
 * console's usage page draws it (usageView): requests per consumer and purpose over time, fields
 * released / masked / withheld with the connection plumbing folded apart, in Beijing time. For
 * agency A's CDO only: the report holds who read A's data, nothing of other agencies'.
 */
export function registerUsageRoutes(app: FastifyInstance, deps: SupervisionDeps): void {
  app.get(
    '/admin/usage',
    handle(async (request) => {
      const { agency, since: window } = await supervisedAgency(request, deps, usageQuery, '/admin/usage');
      const now = new Date();
      const since = parseSince(window, now)!;
      const records: AuditRecord[] = [];
      // Every chain: a gateway of several workers keeps one per worker.
      for await (const record of readAuditChains(deps.auditDir, { since })) records.push(record);
      return { ...usageView(records, { agency, since, now }), window, auditFromRedis: deps.auditFromRedis };
    }),
  );
}
