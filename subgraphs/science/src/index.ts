import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { identifierColumn, type SubgraphDefinition, type SubjectTypes } from '@cdo-hub/subgraph-kit';
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
  return {
    name: 'science',
    typeDefs: parse(readFileSync(SCIENCE_SDL_FILE, 'utf8')),
    resolvers: scienceResolvers({ today }) as SubgraphDefinition['resolvers'],
    changes: SCIENCE_CHANGES,
    subjects: SCIENCE_SUBJECTS,
  };
}

const beijingDateFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

function beijingDate(): string {
  return beijingDateFormat.format(new Date());
}

/**
 * What a row change touches, for the gateways' caches: the record's own type, the organisations
 * it names and the district whose totals count it.
 */
export const SCIENCE_CHANGES: NonNullable<SubgraphDefinition['changes']> = [
  {
    table: 'high_tech_enterprises',
    refs: [
      { type: 'HighTechEnterprise' },
      { type: 'Organization', keyColumn: 'uscc' },
      { type: 'District', keyColumn: 'district_code' },
    ],
  },
  {
    table: 'research_projects',
    refs: [
      { type: 'ResearchProject' },
      { type: 'Organization', keyColumn: 'lead_uscc' },
      { type: 'District', keyColumn: 'lead_district_code' },
    ],
  },
  { table: 'key_labs', refs: [{ type: 'KeyLab' }, { type: 'Organization', keyColumn: 'host_uscc' }] },
  {
    table: 'technology_contracts',
    refs: [
      { type: 'TechnologyContract' },
      { type: 'Organization', keyColumn: 'seller_uscc' },
      { type: 'Organization', keyColumn: 'buyer_uscc' },
      { type: 'District', keyColumn: 'district_code' },
    ],
  },
];

/**
 * Whose records the commission returns: an organisation, its certificate and the labs it hosts by
 * USCC; a research project by its principal investigator's ID number (one subject per record).
 */
export const SCIENCE_SUBJECTS: SubjectTypes = {
  Organization: { kind: 'organisation', identifier: identifierColumn('uscc') },
  HighTechEnterprise: { kind: 'organisation', identifier: identifierColumn('uscc') },
  KeyLab: { kind: 'organisation', identifier: identifierColumn('host_uscc') },
  ResearchProject: { kind: 'person', identifier: identifierColumn('pi_id_number') },
};
