import { randomUUID } from 'node:crypto';
import { FileDocumentStore, type DocumentKind, type DocumentStore } from '../stores';
import { grantStoreStateSchema, type GrantStoreState } from './model';

/**
 * Where approved grants and pending requests live, outside the committed policy files, shared by
 * the CLI, the admin API and every gateway that watches it: a folder (default) or Redis.
 */
export type GrantStore = DocumentStore<GrantStoreState>;

export const GRANT_STORE_FILE = 'grants.json';

/** Validates a stored state; a malformed store is an error, never an empty one. */
export function parseGrantStoreState(value: unknown, location: string): GrantStoreState {
  const parsed = grantStoreStateSchema.safeParse(value);
  if (!parsed.success)
    throw new Error(
      `grant store ${location} is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

export function emptyGrantStore(): GrantStoreState {
  return { storeId: randomUUID(), revision: 0, requests: [], grants: [], events: [], attestations: [] };
}

export const GRANT_STORE: DocumentKind<GrantStoreState> = {
  name: 'grant store',
  file: GRANT_STORE_FILE,
  lockFile: '.grants.lock',
  redisKey: 'cdo-hub:grants:{store}:state',
  redisChannel: 'cdo-hub:grants:changed',
  parse: parseGrantStoreState,
  empty: emptyGrantStore,
};

/** The embedded grant store: `grants.json` in the folder, replaced atomically under a lock. */
export class FileGrantStore extends FileDocumentStore<GrantStoreState> {
  constructor(dir: string) {
    super(dir, GRANT_STORE);
  }
}
