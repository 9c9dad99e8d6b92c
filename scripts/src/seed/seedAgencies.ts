import { agencyDatabaseFile } from '@cdo-hub/subgraph-kit/paths';
import { readSeedInfo, seedDatabase, seedPlanHash } from '@cdo-hub/subgraph-kit/database';
import { WORLD_SEED, type SeedSize } from '@cdo-hub/subgraph-kit/world';
import { existsSync } from 'node:fs';
import { AGENCY_PACKAGES, type AgencyPackage } from '../agencies';

export interface SeedOptions {
  size: SeedSize;
  agencies?: readonly string[];
  /** Leave databases that already exist alone. */
  onlyMissing?: boolean;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface AgencySeedReport {
  agency: string;
  file: string;
  skipped: boolean;
  rows?: Record<string, number>;
  milliseconds?: number;
}

export function selectAgencies(ids: readonly string[] | undefined): AgencyPackage[] {
  if (!ids || ids.length === 0) return [...AGENCY_PACKAGES];
  return ids.map((id) => {
    const agency = AGENCY_PACKAGES.find((a) => a.id === id);
    if (!agency) throw new Error(`unknown agency "${id}"; known: ${AGENCY_PACKAGES.map((a) => a.id).join(', ')}`);
    return agency;
  });
}

/** Seeds each agency's database in turn, printing progress for the long (bench) runs. */
export function seedAgencies(options: SeedOptions): AgencySeedReport[] {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  return selectAgencies(options.agencies).map((agency) => {
    const file = agencyDatabaseFile(agency, env);
    if (options.onlyMissing && existsSync(file)) return { agency: agency.id, file, skipped: true };
    log(`seeding ${agency.id} (${options.size}) into ${file}`);
    const result = seedDatabase(file, agency.seedPlan(options.size), (table, rows) =>
      log(`  ${agency.id}: ${table} ${rows.toLocaleString('en')} rows`),
    );
    const summary = Object.entries(result.rows)
      .map(([table, rows]) => `${table} ${rows.toLocaleString('en')}`)
      .join(', ');
    log(`  ${agency.id}: done in ${(result.milliseconds / 1000).toFixed(1)} s — ${summary}`);
    return { agency: agency.id, file, skipped: false, rows: result.rows, milliseconds: result.milliseconds };
  });
}

export interface SeedPlanOutcome {
  /** Databases to (re)build before start, with the reason. */
  reseed: { agency: AgencyPackage; reason: string }[];
  size: SeedSize;
}

/**
 * What `hub start` must seed before it runs: missing databases, and databases built by an older
 * generator or table layout (they are generated data, so rebuilding them loses nothing). All
 * agencies must share one size and one world, or joins across them would silently find nothing.
 */
export function planStartSeeding(
  requested: SeedSize | undefined,
  env: NodeJS.ProcessEnv = process.env,
): SeedPlanOutcome {
  const infos = AGENCY_PACKAGES.map((agency) => ({ agency, info: readSeedInfo(agencyDatabaseFile(agency, env)) }));
  const sizes = new Set(infos.flatMap(({ info }) => (info ? [info.size] : [])));
  if (sizes.size > 1) {
    throw new Error(
      `the agency databases were seeded at different sizes (${infos.map(({ agency, info }) => `${agency.id}: ${info?.size ?? 'missing'}`).join(', ')}); run \`npm run hub -- seed --size small\` (or bench) to rebuild them together`,
    );
  }
  const existing = [...sizes][0];
  if (requested && existing && requested !== existing) {
    throw new Error(
      `the agency databases are ${existing}; run \`npm run hub -- seed --size ${requested}\` to rebuild them at ${requested}`,
    );
  }
  const size = requested ?? existing ?? 'small';
  const reseed = infos.flatMap(({ agency, info }) => {
    if (!info) return [{ agency, reason: 'missing' }];
    if (info.worldSeed !== WORLD_SEED) return [{ agency, reason: 'seeded from another world' }];
    if (info.schemaHash !== seedPlanHash(agency.seedPlan(size)))
      return [{ agency, reason: 'built by an older generator or table layout' }];
    return [];
  });
  return { reseed, size };
}
