import { agencyDatabaseFile, seedDatabase, seededSize, type SeedSize } from '@cdo-hub/subgraph-kit';
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
    const result = seedDatabase(file, agency.seedPlan(options.size), (table, rows) => log(`  ${agency.id}: ${table} ${rows.toLocaleString('en')} rows`));
    const summary = Object.entries(result.rows).map(([table, rows]) => `${table} ${rows.toLocaleString('en')}`).join(', ');
    log(`  ${agency.id}: done in ${(result.milliseconds / 1000).toFixed(1)} s — ${summary}`);
    return { agency: agency.id, file, skipped: false, rows: result.rows, milliseconds: result.milliseconds };
  });
}

/** The size the existing databases were seeded with, if they all agree. */
export function existingSeedSize(env: NodeJS.ProcessEnv = process.env): SeedSize | undefined {
  const sizes = new Set(AGENCY_PACKAGES.map((agency) => seededSize(agencyDatabaseFile(agency, env))).filter((s) => s !== undefined));
  return sizes.size === 1 ? [...sizes][0] : undefined;
}
