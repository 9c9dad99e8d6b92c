import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SubgraphDefinition } from '@cdo-hub/subgraph-kit';
import { parse } from 'graphql';
import { resolvers } from './resolvers';

export { educationSeedPlan } from './seed/seedEducation';

/** Path of this agency's SDL (package root, so it is found from `src` and from `dist`). */
export const EDUCATION_SDL_FILE = join(__dirname, '..', 'schema.graphql');

export function educationSubgraph(): SubgraphDefinition {
  return { name: 'education', typeDefs: parse(readFileSync(EDUCATION_SDL_FILE, 'utf8')), resolvers: resolvers as SubgraphDefinition['resolvers'] };
}
