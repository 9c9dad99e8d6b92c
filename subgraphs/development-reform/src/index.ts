import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { identifierColumn, type SubgraphDefinition, type SubjectTypes } from '@cdo-hub/subgraph-kit';
import { parse } from 'graphql';
import { resolvers } from './resolvers';

export { developmentReformSeedPlan } from './seed/seedDevelopmentReform';

/** Path of this agency's SDL (package root, so it is found from `src` and from `dist`). */
export const DEVELOPMENT_REFORM_SDL_FILE = join(__dirname, '..', 'schema.graphql');

export function developmentReformSubgraph(): SubgraphDefinition {
  return {
    name: 'development-reform',
    typeDefs: parse(readFileSync(DEVELOPMENT_REFORM_SDL_FILE, 'utf8')),
    resolvers: resolvers as SubgraphDefinition['resolvers'],
    changes: DEVELOPMENT_REFORM_CHANGES,
    subjects: DEVELOPMENT_REFORM_SUBJECTS,
  };
}

/** Whose records the commission returns: an organisation by USCC; a project by its contact person's ID number. */
export const DEVELOPMENT_REFORM_SUBJECTS: SubjectTypes = {
  Organization: { kind: 'organisation', identifier: identifierColumn('uscc') },
  InvestmentProject: { kind: 'person', identifier: identifierColumn('contact_id_number') },
};

/**
 * What a row change touches, for the gateways' caches: a project, its district's investment
 * totals, its owner and the school it builds; an observation, the price lists and its district.
 */
export const DEVELOPMENT_REFORM_CHANGES: NonNullable<SubgraphDefinition['changes']> = [
  { table: 'districts', refs: [{ type: 'District', keyColumn: 'code' }] },
  { table: 'organizations', refs: [{ type: 'Organization', keyColumn: 'uscc' }] },
  {
    table: 'investment_projects',
    refs: [
      { type: 'InvestmentProject', keyColumn: 'code' },
      { type: 'District', keyColumn: 'district_code' },
      { type: 'Organization', keyColumn: 'owner_uscc' },
      { type: 'School', keyColumn: 'school_code' },
    ],
  },
  {
    table: 'price_observations',
    refs: [{ type: 'PriceObservation' }, { type: 'District', keyColumn: 'district_code' }],
  },
];
