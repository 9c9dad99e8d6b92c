import { resolve } from 'node:path';
import type { AgencyInfo } from '../agencies';
import { AGENCY_SETTINGS, SUBGRAPH_SETTINGS } from '../settings/subgraphSettings';

// Where an agency's process and data are, for the scripts that start, seed or call it: each reads
// its variable through the kit's settings declaration (settings/subgraphSettings.ts).

/** Where agency databases live: `HUB_DATA_DIR`, or `.data/` at the repository root. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return SUBGRAPH_SETTINGS.HUB_DATA_DIR.read(env);
}

/** An agency's database file: `<PREFIX>_DB`, or `<data dir>/<agency>.sqlite`. */
export function agencyDatabaseFile(agency: AgencyInfo, env: NodeJS.ProcessEnv = process.env): string {
  return AGENCY_SETTINGS.DB.read(agency, env);
}

/** An agency's port: `<PREFIX>_PORT`, or its default (4001-4003). */
export function agencyPort(agency: AgencyInfo, env: NodeJS.ProcessEnv = process.env): number {
  return AGENCY_SETTINGS.PORT.read(agency, env);
}

/** The URL the gateway calls: `<PREFIX>_URL`, or the local default. */
export function agencyUrl(agency: AgencyInfo, env: NodeJS.ProcessEnv = process.env): string {
  return AGENCY_SETTINGS.URL.read(agency, env);
}

/** An agency's HTTPS files (`<PREFIX>_TLS_CERT_FILE` and `_TLS_KEY_FILE`), or undefined for plain HTTP; one without the other is refused. */
export function agencyTls(
  agency: AgencyInfo,
  env: NodeJS.ProcessEnv = process.env,
): { certFile: string; keyFile: string } | undefined {
  const certFile = AGENCY_SETTINGS.TLS_CERT_FILE.read(agency, env);
  const keyFile = AGENCY_SETTINGS.TLS_KEY_FILE.read(agency, env);
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile)
    throw new Error(
      `${agency.envPrefix}_TLS_CERT_FILE and ${agency.envPrefix}_TLS_KEY_FILE go together (one is set, not the other)`,
    );
  return { certFile: resolve(certFile), keyFile: resolve(keyFile) };
}
