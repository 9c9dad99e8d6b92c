import { randomUUID } from 'node:crypto';
import { FileDocumentStore, RedisDocumentStore, type DocumentKind, type DocumentStore } from '../stores';
import { disputeStoreStateSchema, type DisputeStoreState } from './model';

/**
 * Where disputes live: beside the grant store — `disputes.json` in its folder, or the same Redis —
 * shared by the CLI, the admin API and every gateway that watches it.
 */
export type DisputeStore = DocumentStore<DisputeStoreState>;

export const DISPUTE_STORE_FILE = 'disputes.json';

/** Validates a stored state; a malformed store is an error, never an empty one. */
export function parseDisputeStoreState(value: unknown, location: string): DisputeStoreState {
  const parsed = disputeStoreStateSchema.safeParse(value);
  if (!parsed.success)
    throw new Error(
      `dispute store ${location} is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

export function emptyDisputeStore(): DisputeStoreState {
  return { storeId: randomUUID(), revision: 0, lastNumber: {}, disputes: [] };
}

export const DISPUTE_STORE: DocumentKind<DisputeStoreState> = {
  name: 'dispute store',
  file: DISPUTE_STORE_FILE,
  lockFile: '.disputes.lock',
  redisKey: 'cdo-hub:disputes:{store}:state',
  redisChannel: 'cdo-hub:disputes:changed',
  parse: parseDisputeStoreState,
  empty: emptyDisputeStore,
};

/** The dispute store the configuration names: the grant store's Redis when set, else its folder. */
export async function openDisputeStore(config: {
  grantStoreDir: string;
  grantStoreRedisUrl?: string;
  auditRedisAllowEverysec?: boolean;
}): Promise<DisputeStore> {
  if (!config.grantStoreRedisUrl) return new FileDocumentStore(config.grantStoreDir, DISPUTE_STORE);
  return RedisDocumentStore.open(config.grantStoreRedisUrl, DISPUTE_STORE, {
    allowEverysec: config.auditRedisAllowEverysec ?? false,
  });
}
