import { resolve } from 'node:path';

/** The repository's `schema/` folder: the committed development supergraph, policies, consumers and calendars. */
export const SCHEMA_DIR = resolve(__dirname, '..', '..', '..', 'schema');
export const DEFAULT_SUPERGRAPH_FILE = resolve(SCHEMA_DIR, 'supergraph.graphql');
export const DEFAULT_POLICY_DIR = resolve(SCHEMA_DIR, 'policies');
export const DEFAULT_CATALOG_DIR = resolve(SCHEMA_DIR, 'catalog');
export const DEFAULT_CONSUMERS_FILE = resolve(SCHEMA_DIR, 'consumers.yaml');
export const DEFAULT_CACHE_RULES_FILE = resolve(SCHEMA_DIR, 'cache.yaml');
export const DEFAULT_OPERATIONS_FILE = resolve(SCHEMA_DIR, 'operations', 'manifest.json');
export const DEFAULT_CALENDAR_FILE = resolve(SCHEMA_DIR, 'calendar', 'holidays.yaml');
