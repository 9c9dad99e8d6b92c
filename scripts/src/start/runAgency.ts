import { loadSecrets } from '@cdo-hub/gateway/identity';
import { agencyDatabaseFile } from '@cdo-hub/subgraph-kit/paths';
import { type SeedSize } from '@cdo-hub/subgraph-kit/world';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { AGENCY_PACKAGES } from '../agencies';
import { seedAgencies } from '../seed/seedAgencies';

/**
 * `hub subgraph <agency>`: one agency's subgraph alone, as an agency that hosts its own runs it on
 * its own machine — its database, its port, the hub's signing key (`HUB_SUBGRAPH_SIGNING_KEY`, from
 * the environment in production). The subgraph runs in this process: it drains on SIGTERM, logs as
 * JSON and reports ready over IPC under a supervisor. A missing database is seeded first (as
 * `hub start` does), with progress on stderr; an existing one is never touched.
 */
export async function runAgency(
  agencyId: string,
  options: { port?: number; db?: string; size?: SeedSize },
): Promise<void> {
  const agency = AGENCY_PACKAGES.find((candidate) => candidate.id === agencyId);
  if (!agency) throw new Error(`unknown agency "${agencyId}"; one of: ${AGENCY_PACKAGES.map((a) => a.id).join(', ')}`);
  const env = process.env;
  if (options.port !== undefined) env[`${agency.envPrefix}_PORT`] = String(options.port);
  if (options.db) env[`${agency.envPrefix}_DB`] = resolve(options.db);
  // Development: the generated secrets file every local process shares; production: the environment's, or a refusal.
  env.HUB_SUBGRAPH_SIGNING_KEY = loadSecrets({ production: env.NODE_ENV === 'production', env }).subgraphSigningKey;
  if (!existsSync(agencyDatabaseFile(agency, env)))
    seedAgencies({ size: options.size ?? 'small', agencies: [agency.id], env, log: (line) => console.error(line) });
  // The agency's own entry point: it reads the environment set above and runs until signalled.
  await import(agency.mainFile);
}
