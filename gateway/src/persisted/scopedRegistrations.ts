import type { CacheStore } from '../cache';
import { parseJsonOrUndefined } from '../limits';
import { operationId } from './manifest';

/**
 * Automatic Persisted Queries (Apollo's protocol) with registrations scoped to who registered
 * them. A client sends `extensions.persistedQuery: { version: 1, sha256Hash }`; with the text
 * too, the text is registered under its hash — for this consumer only; with the hash alone, the
 * text this consumer registered is used, and a hash it did not register is "not found", exactly
 * like a hash nobody registered. Apollo Server's own store is keyed by the hash alone: through it
 * any consumer could run — and so learn of — the operations another one sends.
 *
 * The public (no token) has no identity to scope by: its registrations are per client address.
 * The allow-list (`PERSISTED_OPERATIONS=only`) is not a registration; it is the operator's, global.
 */

/** Whose registrations a request reads and writes. */
export type RegistrationScope = `consumer:${string}` | `address:${string}`;

/** A registered consumer by its id; the public (and a gateway with no identities, `--open`) by client address. */
export function registrationScope(
  identity: { consumer: { id: string }; anonymous: boolean } | undefined,
  clientAddress: string,
): RegistrationScope {
  return identity && !identity.anonymous ? `consumer:${identity.consumer.id}` : `address:${clientAddress}`;
}

/** What one operation of a request asks of the APQ step. */
export type PersistedQueryRequest =
  /** Not a persisted query this step handles: Apollo Server answers it (texts, other versions, malformed extensions). */
  | { kind: 'none' }
  /** The hash alone: look it up in the asker's registrations. */
  | { kind: 'lookup'; hash: string }
  /** Hash and text that match: register the text for the asker once the request is answered. */
  | { kind: 'register'; hash: string; query: string };

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The APQ step's reading of one operation (a POST body, a batch member, or a GET's query string,
 * whose `extensions` is JSON text). Pure. Everything it does not handle is left to Apollo Server,
 * which answers the protocol's errors (unsupported version, a hash that does not match the text).
 */
export function readPersistedQuery(operation: unknown): PersistedQueryRequest {
  if (!operation || typeof operation !== 'object') return { kind: 'none' };
  const { query, extensions: raw } = operation as { query?: unknown; extensions?: unknown };
  const extensions = typeof raw === 'string' ? parseJsonOrUndefined(raw) : raw;
  const persisted =
    extensions && typeof extensions === 'object'
      ? (extensions as { persistedQuery?: unknown }).persistedQuery
      : undefined;
  if (!persisted || typeof persisted !== 'object') return { kind: 'none' };
  const { version, sha256Hash: hash } = persisted as { version?: unknown; sha256Hash?: unknown };
  // Only well-formed hashes are looked up: anything else can never have been registered.
  if (version !== 1 || typeof hash !== 'string' || !SHA256_HEX.test(hash)) return { kind: 'none' };
  if (query === undefined) return { kind: 'lookup', hash };
  if (typeof query === 'string' && operationId(query) === hash) return { kind: 'register', hash, query };
  return { kind: 'none' };
}

/**
 * The registered texts, in the gateway's cache store (memory, or the cache's Redis so every
 * gateway shares them), each under its scope and hash, for `ttlSeconds`; the store's own bound
 * (`CACHE_MAX_MB`, Redis' `maxmemory`) bounds them in size. A store that fails is a miss: the
 * client sends the text again, as the protocol expects.
 */
export class ScopedQueryRegistrations {
  constructor(
    private readonly store: CacheStore,
    private readonly ttlSeconds: number,
  ) {}

  /** The texts registered in `scope` for each hash, in order (undefined: not registered). */
  async lookup(scope: RegistrationScope, hashes: readonly string[]): Promise<(string | undefined)[]> {
    try {
      return (await this.store.getMany(hashes.map((hash) => registrationKey(scope, hash)))).map(
        (entry) => entry?.value,
      );
    } catch {
      return hashes.map(() => undefined);
    }
  }

  async register(scope: RegistrationScope, registrations: readonly { hash: string; query: string }[]): Promise<void> {
    if (!registrations.length) return;
    try {
      const mark = await this.store.mark();
      await Promise.all(
        registrations.map(({ hash, query }) =>
          this.store.set(registrationKey(scope, hash), query, { ttlMs: this.ttlSeconds * 1000, tags: [], mark }),
        ),
      );
    } catch {
      // Not registered: the next request by hash is "not found" and the client resends the text.
    }
  }
}

function registrationKey(scope: RegistrationScope, hash: string): string {
  return `apq:${scope}:${hash}`;
}
