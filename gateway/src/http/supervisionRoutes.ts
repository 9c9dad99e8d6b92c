import type { SigningKeys } from '@cdo-hub/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { relative } from 'node:path';
import {
  auditTrailState,
  openAuditWitness,
  parseSince,
  readAuditChains,
  verifyAuditChains,
  type AuditRecord,
  type AuditWitness,
  type ChainVerification,
} from '../audit';
import { beijingMinute, schemaVersionsView, usageView } from '../console';
import type { SchemaRegistry } from '../registry';
import { cdoAgency, cdoRole } from '../consumers';
import type { TokenVerifier } from '../identity';
import type { PolicyRuntime } from '../policy';
import { AdminError, adminIdentity, handle, parseBody } from './adminRoutes';

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
  const query = parseBody(schema, request.query, 'ADMIN_REQUEST_INVALID');
  const agency = query.agency;
  if (!identity.roles.some((role) => cdoAgency(role) === agency))
    throw new AdminError('FORBIDDEN', `${route} for ${agency} takes the role ${cdoRole(agency)}`);
  return query;
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

const agencyQuery = z.object({ agency: z.string().min(1) }).strict();

/** The last verification a console asked for, kept by this gateway process until it stops. */
interface LastVerification {
  /** Beijing time. */
  at: string;
  by: string;
  chains: (Omit<ChainVerification, 'dir'> & { chain: string })[];
}

/**
 * The audit trail's state for the console (the trail is the hub's, one for every agency; it holds
 * who read what, never values): each chain's last signed checkpoint and what its witness holds,
 * and the last verification run here —
 *
 * - `GET /admin/audit-state?agency=A`: the state, and the last verification if one was run;
 * - `POST /admin/audit-state/verify?agency=A`: verifies every chain against the witness now, as
 *   `hub audit verify` does (one run at a time; a second call waits for the running one).
 *
 * Both for A's CDO (`cdo:A`). With a Redis audit stream, what the files hold once archived.
 */
export function registerAuditStateRoutes(
  app: FastifyInstance,
  deps: SupervisionDeps & {
    witness: Parameters<typeof openAuditWitness>[0];
    /** The checkpoint keys: the current one, and those used before a rotation of the signing key. */
    signingKey: SigningKeys;
  },
): void {
  let last: LastVerification | undefined;
  let running: Promise<LastVerification> | undefined;
  const withWitness = async <T>(run: (witness: AuditWitness) => Promise<T>): Promise<T> => {
    const witness = await openAuditWitness(deps.witness);
    try {
      return await run(witness);
    } finally {
      await witness.close();
    }
  };

  app.get(
    '/admin/audit-state',
    handle(async (request) => {
      await supervisedAgency(request, deps, agencyQuery, '/admin/audit-state');
      const chains = await withWitness((witness) => auditTrailState(deps.auditDir, witness));
      return {
        chains: chains.map((c) => ({
          ...c,
          ...(c.lastCheckpoint
            ? { lastCheckpoint: { ...c.lastCheckpoint, time: beijingMinute(c.lastCheckpoint.time) } }
            : {}),
          ...(c.witnessed ? { witnessed: { ...c.witnessed, time: beijingMinute(c.witnessed.time) } } : {}),
        })),
        witness: await withWitness(async (witness) => witness.location),
        auditFromRedis: deps.auditFromRedis,
        ...(last ? { lastVerification: last } : {}),
      };
    }),
  );

  app.post(
    '/admin/audit-state/verify',
    handle(async (request) => {
      await supervisedAgency(request, deps, agencyQuery, '/admin/audit-state/verify');
      const identity = await adminIdentity(request, deps);
      running ??= withWitness(async (witness) => ({
        at: beijingMinute(new Date().toISOString()),
        by: identity.consumer.id,
        chains: (await verifyAuditChains(deps.auditDir, deps.signingKey, witness)).map(({ dir, ...rest }) => ({
          ...rest,
          chain: relative(deps.auditDir, dir) || '.',
        })),
      })).finally(() => {
        running = undefined;
      });
      last = await running;
      return { lastVerification: last };
    }),
  );
}

/**
 * `GET /admin/schema-versions?agency=A`: A's schema versions in the registry, newest first, each
 * with the check results it was published under and whether it is served (`hub schema list`). A
 * gateway serving a supergraph file has none to show and says so. For A's CDO.
 */
export function registerSchemaVersionRoutes(
  app: FastifyInstance,
  deps: Pick<SupervisionDeps, 'policies' | 'verify'> & {
    registry: SchemaRegistry | undefined;
    servedSupergraph: () => string;
    supergraphFile: string;
  },
): void {
  app.get(
    '/admin/schema-versions',
    handle(async (request) => {
      const { agency } = await supervisedAgency(request, deps, agencyQuery, '/admin/schema-versions');
      return schemaVersionsView(deps.registry ? await deps.registry.read() : undefined, agency, {
        supergraph: deps.servedSupergraph(),
        ...(deps.registry ? {} : { file: deps.supergraphFile }),
      });
    }),
  );
}
