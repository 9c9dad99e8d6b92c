import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { identifierColumn, type SubgraphDefinition, type SubjectTypes } from '@cdo-hub/subgraph-kit';
import { parse } from 'graphql';
import { migrateEducationDatabase } from './database/migrate';
import { resolvers } from './resolvers';

export { educationSeedPlan } from './seed/seedEducation';
export { migrateEducationDatabase } from './database/migrate';

/** Path of this agency's SDL (package root, so it is found from `src` and from `dist`). */
export const EDUCATION_SDL_FILE = join(__dirname, '..', 'schema.graphql');

export function educationSubgraph(): SubgraphDefinition {
  return {
    name: 'education',
    typeDefs: parse(readFileSync(EDUCATION_SDL_FILE, 'utf8')),
    resolvers: resolvers as SubgraphDefinition['resolvers'],
    changes: EDUCATION_CHANGES,
    migrate: migrateEducationDatabase,
    subjects: EDUCATION_SUBJECTS,
  };
}

/** Whose records the commission returns: a pupil by ID number, a school or organisation by USCC. */
export const EDUCATION_SUBJECTS: SubjectTypes = {
  Student: { kind: 'person', identifier: identifierColumn('id_number') },
  School: { kind: 'organisation', identifier: identifierColumn('uscc') },
  Organization: { kind: 'organisation', identifier: identifierColumn('uscc') },
};

/**
 * What a row change touches, for the gateways' caches: a school, and the district whose totals
 * count it; a pupil or teacher, their school (rosters, counts) and — for pupils — its district.
 */
export const EDUCATION_CHANGES: NonNullable<SubgraphDefinition['changes']> = [
  {
    table: 'schools',
    refs: [
      { type: 'School', keyColumn: 'code' },
      { type: 'District', keyColumn: 'district_code' },
    ],
  },
  {
    table: 'students',
    refs: [
      { type: 'School', keyColumn: 'school_code' },
      { type: 'Student' },
      { type: 'District', keySql: '(SELECT district_code FROM schools WHERE code = {row}.school_code)' },
    ],
  },
  { table: 'teachers', refs: [{ type: 'School', keyColumn: 'school_code' }, { type: 'Teacher' }] },
  {
    table: 'school_construction',
    refs: [
      { type: 'InvestmentProject', keyColumn: 'project_code' },
      { type: 'School', keyColumn: 'school_code' },
    ],
  },
];
