import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SubgraphDefinition } from '@cdo-hub/subgraph-kit';
import { parse } from 'graphql';
import { resolvers } from './resolvers';

export { developmentReformSeedPlan } from './seed/seedDevelopmentReform';

/** Path of this agency's SDL (package root, so it is found from `src` and from `dist`). */
export const DEVELOPMENT_REFORM_SDL_FILE = join(__dirname, '..', 'schema.graphql');

export function developmentReformSubgraph(): SubgraphDefinition {
  return { name: 'development-reform', typeDefs: parse(readFileSync(DEVELOPMENT_REFORM_SDL_FILE, 'utf8')), resolvers: resolvers as SubgraphDefinition['resolvers'] };
}
