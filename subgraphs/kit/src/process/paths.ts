import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { AgencyInfo } from '../agencies';

/** The repository root: the nearest folder above this file holding `turbo.json`. */
export function repoRoot(from = __dirname): string {
  let dir = resolve(from);
  while (!existsSync(join(dir, 'turbo.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no turbo.json above ${from}`);
    dir = parent;
  }
  return dir;
}

/** Where agency databases live: `HUB_DATA_DIR`, or `.data/` at the repository root. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.HUB_DATA_DIR ?? join(repoRoot(), '.data'));
}

/** An agency's database file: `<PREFIX>_DB`, or `<data dir>/<agency>.sqlite`. */
export function agencyDatabaseFile(agency: AgencyInfo, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env[`${agency.envPrefix}_DB`] ?? join(dataDir(env), `${agency.id}.sqlite`));
}

/** An agency's port: `<PREFIX>_PORT`, or its default (4001-4003). */
export function agencyPort(agency: AgencyInfo, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[`${agency.envPrefix}_PORT`];
  if (raw === undefined || raw === '') return agency.defaultPort;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`${agency.envPrefix}_PORT must be a port number; got "${raw}"`);
  return port;
}

/** The URL the gateway calls: `<PREFIX>_URL`, or the local default. */
export function agencyUrl(agency: AgencyInfo, env: NodeJS.ProcessEnv = process.env): string {
  return env[`${agency.envPrefix}_URL`] ?? `http://127.0.0.1:${agencyPort(agency, env)}/graphql`;
}
