import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SubgraphDefinition } from '@cdo-hub/subgraph-kit';
import { parse } from 'graphql';
import { scienceResolvers } from './resolvers';

export { scienceSeedPlan } from './seed/seedScience';

/** Path of this agency's SDL (package root, so it is found from `src` and from `dist`). */
export const SCIENCE_SDL_FILE = join(__dirname, '..', 'schema.graphql');

export interface ScienceSubgraphOptions {
  /**
   * A fixed "today" (YYYY-MM-DD) for certificate validity. Without it the real clock decides, read
   * per request as the date in Beijing, where certificates lapse.
   */
  today?: string;
}

export function scienceSubgraph(options: ScienceSubgraphOptions = {}): SubgraphDefinition {
  const fixed = options.today;
  const today = fixed === undefined ? beijingDate : () => fixed;
  return { name: 'science', typeDefs: parse(readFileSync(SCIENCE_SDL_FILE, 'utf8')), resolvers: scienceResolvers({ today }) as SubgraphDefinition['resolvers'] };
}

const beijingDateFormat = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

function beijingDate(): string {
  return beijingDateFormat.format(new Date());
}
