import type { PersistedQueryOptions } from '@apollo/server';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MemoryCacheStore, type CacheStore } from '../cache';
import type { IdentityResult } from '../identity';
import { graphqlOperationsOf, putQueryInUrl } from './graphqlRequest';
import { readPersistedQuery, registrationScope, ScopedQueryRegistrations, type RegistrationScope } from '../persisted';

/** The store of its own when the gateway runs without a cache (`CACHE=off`, `--open`). */
const OWN_STORE_BYTES = 8 * 2 ** 20;

/**
 * Apollo Server keeps speaking the APQ protocol — version checks, "provided sha does not match
 * query", `PERSISTED_QUERY_NOT_FOUND` in each batch slot — but with a store that never remembers:
 * every text it runs was put in the request by the step below, from the asker's own
 * registrations. A hash the asker did not register reaches Apollo Server alone and is "not found",
 * the very answer a hash nobody registered gets.
 */
export const APOLLO_FORGETFUL_APQ: PersistedQueryOptions = {
  cache: {
    get: async () => undefined,
    set: async () => undefined,
    delete: async () => undefined,
  },
};

export interface ScopedApqOptions {
  /** The gateway's cache store (memory, or Redis shared by every gateway); a small memory store of its own without one. */
  store: CacheStore | undefined;
  ttlSeconds: number;
  /** The batch limit: a longer batch is left to the request gate to refuse, before any lookup or identity check. */
  maxBatch: number;
  /** The request's identity (memoised per request, shared with the GraphQL context); absent in `--open` mode. */
  identify?: (request: FastifyRequest) => Promise<IdentityResult>;
}

/**
 * Automatic Persisted Queries scoped to the consumer (`persisted/scopedRegistrations.ts`), before
 * Apollo Server sees the request: a hash alone is replaced by the text the asker registered under
 * it (then shape limits and Apollo Server check that text like any other); a hash with its text
 * is registered for the asker once the request is answered below 400 (a refused request
 * registers nothing). Install before the request gate, so the gate checks substituted texts.
 */
export function installScopedApq(app: FastifyInstance, options: ScopedApqOptions): void {
  const registrations = new ScopedQueryRegistrations(
    options.store ?? new MemoryCacheStore({ maxBytes: OWN_STORE_BYTES }),
    options.ttlSeconds,
  );
  const pending = new WeakMap<FastifyRequest, { scope: RegistrationScope; texts: { hash: string; query: string }[] }>();

  const scopeOf = async (request: FastifyRequest): Promise<RegistrationScope | undefined> => {
    if (!options.identify) return registrationScope(undefined, request.ip);
    const identified = await options.identify(request);
    // A refused identity: Apollo Server's context refuses the request with its code.
    return identified.ok ? registrationScope(identified.identity, request.ip) : undefined;
  };

  app.addHook('preHandler', async (request) => {
    if (request.routeOptions.url !== '/graphql' || (request.method !== 'GET' && request.method !== 'POST')) return;
    const operations = graphqlOperationsOf(request);
    if (operations.length > options.maxBatch) return; // BATCH_TOO_LARGE from the request gate; nothing looked up
    const asked = operations.map((operation) => ({
      operation: operation as Record<string, unknown>,
      persisted: readPersistedQuery(operation),
    }));
    const lookups = asked.flatMap(({ operation, persisted }) =>
      persisted.kind === 'lookup' ? [{ operation, hash: persisted.hash }] : [],
    );
    const texts = asked.flatMap(({ persisted }) =>
      persisted.kind === 'register' ? [{ hash: persisted.hash, query: persisted.query }] : [],
    );
    if (!lookups.length && !texts.length) return;
    const scope = await scopeOf(request);
    if (!scope) return;
    if (texts.length) pending.set(request, { scope, texts });
    if (!lookups.length) return;
    const found = await registrations.lookup(
      scope,
      lookups.map((lookup) => lookup.hash),
    );
    lookups.forEach(({ operation }, index) => {
      if (found[index] !== undefined) operation.query = found[index];
    });
    if (request.method === 'GET' && found[0] !== undefined) putQueryInUrl(request);
  });

  app.addHook('onSend', async (request, reply) => {
    const registration = pending.get(request);
    if (registration && reply.statusCode < 400) await registrations.register(registration.scope, registration.texts);
  });
}
