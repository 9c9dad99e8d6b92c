import { GRANT_STORE, openGrantStore, type GrantStoreState } from '@cdo-hub/gateway/grants';
import { openSchemaRegistry, SCHEMA_REGISTRY_KIND, type RegistryState } from '@cdo-hub/gateway/registry';
import { type DocumentKind, type DocumentStore, type Revisioned } from '@cdo-hub/gateway/stores';
import { type GatewayConfig } from '@cdo-hub/gateway/config';

/** The settings that say where the durable stores are: the gateway's own. */
export type StoreSettings = Pick<
  GatewayConfig,
  | 'auditDir'
  | 'auditRedisUrl'
  | 'auditWitnessDir'
  | 'auditWitnessRedisUrl'
  | 'auditRedisAllowEverysec'
  | 'grantStoreDir'
  | 'grantStoreRedisUrl'
  | 'schemaRegistryDir'
  | 'schemaRegistryRedisUrl'
>;

/**
 * The grant store and the schema registry are one JSON document each, in a folder or on Redis.
 * A backup holds the document itself (validated), so it restores into either.
 */
export interface DocumentStoreSpec<S extends Revisioned> {
  store: 'grants' | 'registry';
  /** For messages: `grant store`, `schema registry`. */
  label: string;
  kind: DocumentKind<S>;
  open(settings: StoreSettings): Promise<DocumentStore<S>>;
  /** Is it on Redis (its backup is then the server's own persistence as well as this copy)? */
  onRedis(settings: StoreSettings): boolean;
  describe(state: S): string;
  /** What the manifest records of the copy: the grant store's id, the supergraph the registry serves. */
  identify(state: S): { storeId?: string; current?: string };
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

export const GRANT_STORE_SPEC: DocumentStoreSpec<GrantStoreState> = {
  store: 'grants',
  label: 'grant store',
  kind: GRANT_STORE,
  open: (settings) => openGrantStore(settings),
  onRedis: (settings) => Boolean(settings.grantStoreRedisUrl),
  describe: (state) =>
    `revision ${state.revision} (${plural(state.grants.length, 'grant')}, ${plural(state.requests.length, 'request')}, ${plural(state.events.length, 'step')})`,
  identify: (state) => ({ storeId: state.storeId }),
};

export const SCHEMA_REGISTRY_SPEC: DocumentStoreSpec<RegistryState> = {
  store: 'registry',
  label: 'schema registry',
  kind: SCHEMA_REGISTRY_KIND,
  open: (settings) => openSchemaRegistry(settings),
  onRedis: (settings) => Boolean(settings.schemaRegistryRedisUrl),
  describe: (state) =>
    `revision ${state.revision}, serving supergraph ${state.current ?? '(none)'} (${plural(state.versions.length, 'schema version')})`,
  identify: (state) => (state.current ? { current: state.current } : {}),
};

/** Reads a store's document; undefined when it was never written (revision 0: nothing to keep). */
export async function readDocument<S extends Revisioned>(
  spec: DocumentStoreSpec<S>,
  settings: StoreSettings,
): Promise<{ state: S | undefined; location: string }> {
  const store = await spec.open(settings);
  try {
    const state = await store.read();
    return { state: state.revision === 0 ? undefined : state, location: store.location };
  } finally {
    await store.close();
  }
}
