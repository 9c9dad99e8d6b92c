import { developmentReformSeedPlan, DEVELOPMENT_REFORM_SDL_FILE } from '@cdo-hub/development-reform';
import { educationSeedPlan, EDUCATION_SDL_FILE } from '@cdo-hub/education';
import { scienceSeedPlan, SCIENCE_SDL_FILE } from '@cdo-hub/science';
import { AGENCIES, type AgencyInfo } from '@cdo-hub/subgraph-kit/agencies';
import { repoRoot } from '@cdo-hub/subgraph-kit/paths';
import { type SeedPlan } from '@cdo-hub/subgraph-kit/database';
import { type SeedSize } from '@cdo-hub/subgraph-kit/world';
import { join } from 'node:path';

/** What the operator tools need of each agency: its SDL, its seed and its process entry point. */
export interface AgencyPackage extends AgencyInfo {
  sdlFile: string;
  seedPlan(size: SeedSize): SeedPlan;
  /** The built entry point that runs the agency's subgraph. */
  mainFile: string;
}

const packages: Record<string, Pick<AgencyPackage, 'sdlFile' | 'seedPlan'>> = {
  education: { sdlFile: EDUCATION_SDL_FILE, seedPlan: educationSeedPlan },
  'development-reform': { sdlFile: DEVELOPMENT_REFORM_SDL_FILE, seedPlan: developmentReformSeedPlan },
  science: { sdlFile: SCIENCE_SDL_FILE, seedPlan: scienceSeedPlan },
};

export const AGENCY_PACKAGES: readonly AgencyPackage[] = AGENCIES.map((agency) => {
  const entry = packages[agency.id];
  if (!entry)
    throw new Error(`agency "${agency.id}" is listed in the kit but has no package entry in scripts/src/agencies.ts`);
  return { ...agency, ...entry, mainFile: join(repoRoot(), 'subgraphs', agency.id, 'dist', 'main.js') };
});
