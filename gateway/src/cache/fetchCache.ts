import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { LRUCache } from 'lru-cache';
import type { OperationView } from '../enforcement';
import type { HubMetrics } from '../metrics';
import type { PolicySet } from '../policy';
import type { CacheRules } from './cachePolicy';
import type { CacheStore } from './cacheStore';
import {
  entityKey,
  fetchCachingLimits,
  fetchKeyBase,
  fetchShape,
  rootFetchKey,
  type FetchLimits,
  type FetchShape,
} from './fetchCachePolicy';
import { entityTags, responseTags } from './responseTags';
import { markFetchCache } from '../tracing';
import type { ReturnedSubject } from '@cdo-hub/contracts';
import { entryText, handedSubjects, handingSubjects, readEntry, subjectsUnder } from '../subjects';

export type FetchLayer = 'entity' | 'root';
export const FETCH_LAYERS: readonly FetchLayer[] = ['entity', 'root'];

/** One fetch the query planner sends to a subgraph, with the request it serves. */
export interface SubgraphFetch {
  agency: string;
  query: string | undefined;
  variables: Record<string, unknown> | undefined;
  supergraphVersion: string;
  policySet: PolicySet;
  view: OperationView;
  now: number;
}

type Fetch = (variables: Record<string, unknown> | undefined) => Promise<GatewayGraphQLResponse>;

/**
 * The cache below the query planner, in the data source of every subgraph: entity fetches
 * (`_entities`) cached per representation, so one query reuses the entities another fetched and
 * a partial hit asks the subgraph only for the missing ones; root-field fetches cached whole.
 * It sits under the policy: the fetches it sees were planned from the consumer's view (denied
 * fields are not in them), and masks are applied above it. Entries are keyed by what decides the
 * subgraph's answer (`fetchKeyBase`), tagged by the entities they hold (the same tags as the
 * response cache, so one invalidation purges both layers), and filled race-free (mark before
 * fetch). Only results without errors are kept. A cache that fails or is slow is skipped.
 */
export class FetchCache {
  private readonly shapes = new LRUCache<string, FetchShape>({ max: 2000 });
  private readonly limits = new LRUCache<string, FetchLimits>({ max: 2000 });

  constructor(
    private readonly store: CacheStore,
    private readonly rules: CacheRules,
    private readonly layers: ReadonlySet<FetchLayer>,
    private readonly logger: Logger,
    private readonly metrics?: HubMetrics,
  ) {}

  async execute(request: SubgraphFetch, fetch: Fetch): Promise<GatewayGraphQLResponse> {
    const shape = this.shapeOf(request.query);
    if (shape.kind === 'uncacheable') return fetch(request.variables);
    const layer: FetchLayer = shape.kind === 'entities' ? 'entity' : 'root';
    if (!this.layers.has(layer)) return fetch(request.variables);
    const ttlSeconds = this.ttlFor(shape, request);
    if (shape.kind === 'entities') return this.entities(request, shape, ttlSeconds, fetch);
    return this.root(request, shape, ttlSeconds, fetch);
  }

  private shapeOf(query: string | undefined): FetchShape {
    if (!query) return fetchShape(query);
    let shape = this.shapes.get(query);
    if (!shape) this.shapes.set(query, (shape = fetchShape(query)));
    return shape;
  }

  /** The fetch's TTL: its fields' limits (once per policy version and text), then the view's grants' expiry. */
  private ttlFor(shape: Extract<FetchShape, { kind: 'entities' | 'root' }>, request: SubgraphFetch): number {
    const key = `${request.policySet.version}|${request.agency}|${shape.selection}`;
    let limits = this.limits.get(key);
    if (!limits) {
      this.limits.set(key, (limits = fetchCachingLimits(shape, request.policySet, request.agency, this.rules)));
      this.logger.debug(
        { agency: request.agency, fetch: shape.kind, ttlSeconds: limits.ttlSeconds, limitedBy: limits.limitedBy },
        'subgraph fetch caching limits',
      );
    }
    const untilExpiry = Number.isFinite(request.view.validUntil)
      ? Math.max(0, Math.floor((request.view.validUntil - request.now) / 1000))
      : Infinity;
    return Math.min(limits.ttlSeconds, untilExpiry);
  }

  private keyBase(request: SubgraphFetch, shape: Extract<FetchShape, { selection: string }>): string {
    return fetchKeyBase({
      supergraphVersion: request.supergraphVersion,
      policyVersion: request.policySet.version,
      agency: request.agency,
      selection: shape.selection,
      variables: request.variables,
      scope: request.view.scopes[request.agency],
    });
  }

  private count(layer: FetchLayer, result: 'hit' | 'miss' | 'bypass', by = 1): void {
    if (by > 0) this.metrics?.cacheRequests.inc({ layer, result }, by);
    if (by > 0) markFetchCache(layer, result, by);
  }

  private async entities(
    request: SubgraphFetch,
    shape: Extract<FetchShape, { kind: 'entities' }>,
    ttlSeconds: number,
    fetch: Fetch,
  ): Promise<GatewayGraphQLResponse> {
    const representations = request.variables?.representations;
    if (!Array.isArray(representations) || representations.length === 0 || ttlSeconds <= 0) {
      this.count('entity', 'bypass', Array.isArray(representations) ? representations.length : 1);
      return fetch(request.variables);
    }
    const base = this.keyBase(request, shape);
    const keys = representations.map((representation) => entityKey(base, representation));
    let mark: number;
    let cached: (string | undefined)[];
    try {
      const timer = this.metrics?.cacheLatency.startTimer({ layer: 'entity', operation: 'get' });
      const [taken, hits] = await Promise.all([this.store.mark(), this.store.getMany(keys)]);
      timer?.();
      mark = taken;
      cached = hits.map((hit) => hit?.value);
    } catch (error) {
      this.logger.debug({ err: error }, 'entity cache read failed; fetching from the subgraph');
      this.count('entity', 'bypass', representations.length);
      return fetch(request.variables);
    }

    const missing = cached.flatMap((value, index) => (value === undefined ? [index] : []));
    this.count('entity', 'hit', representations.length - missing.length);
    this.count('entity', 'miss', missing.length);
    const subjects: ReturnedSubject[] = [];
    const entities: unknown[] = cached.map((text, index) => {
      if (text === undefined) return undefined;
      const entry = readEntry(text, ['_entities', index]);
      subjects.push(...entry.subjects);
      return entry.value;
    });
    if (missing.length === 0) return handingSubjects({ data: { _entities: entities } }, subjects);

    const response = await fetch({
      ...request.variables,
      representations: missing.map((index) => representations[index]),
    });
    // Error paths point into the subset fetched; put them back at the entities' places.
    const errors = response.errors?.map((error) => atOriginalIndex(error, missing));
    const fetched = response.data?._entities;
    if (!Array.isArray(fetched) || fetched.length !== missing.length) {
      // The subgraph failed the fetch as a whole: so does this answer.
      return { ...response, ...(errors ? { errors } : {}) };
    }
    missing.forEach((index, position) => (entities[index] = fetched[position]));
    // The agency's subjects sit at the places of the subset fetched: put them at the entities' places too.
    const handed = handedSubjects(response);
    const subjectsOf = missing.map((_, position) => subjectsUnder(handed, ['_entities', position]));
    missing.forEach((index, position) =>
      subjects.push(
        ...subjectsOf[position]!.map((subject) => ({ ...subject, path: ['_entities', index, ...subject.path] })),
      ),
    );

    const failed = new Set(
      errors?.flatMap((error) =>
        error.path?.[0] === '_entities' && typeof error.path[1] === 'number' ? [error.path[1]] : [],
      ),
    );
    const unplaced = errors?.some((error) => !(error.path?.[0] === '_entities' && typeof error.path[1] === 'number'));
    if (!unplaced) {
      try {
        const timer = this.metrics?.cacheLatency.startTimer({ layer: 'entity', operation: 'set' });
        await Promise.all(
          missing.flatMap((index) => {
            const entity = entities[index];
            const representation = representations[index];
            if (
              failed.has(index) ||
              entity === null ||
              typeof entity !== 'object' ||
              representation === null ||
              typeof representation !== 'object'
            )
              return [];
            const tags = entityTags(
              request.policySet.schema,
              request.policySet.ownership.keys,
              shape.document,
              shape.entities.selectionSet!,
              request.variables,
              representation as Record<string, unknown>,
              entity as Record<string, unknown>,
            );
            const text = entryText(entity as Record<string, unknown>, subjectsOf[missing.indexOf(index)]!);
            return [this.store.set(keys[index]!, text, { ttlMs: ttlSeconds * 1000, tags, mark })];
          }),
        );
        timer?.();
      } catch (error) {
        this.logger.debug({ err: error }, 'entity cache write failed');
      }
    }
    const { extensions: _handed, ...answer } = response;
    return handingSubjects(
      { ...answer, data: { ...response.data, _entities: entities }, ...(errors ? { errors } : {}) },
      subjects,
    );
  }

  private async root(
    request: SubgraphFetch,
    shape: Extract<FetchShape, { kind: 'root' }>,
    ttlSeconds: number,
    fetch: Fetch,
  ): Promise<GatewayGraphQLResponse> {
    if (ttlSeconds <= 0) {
      this.count('root', 'bypass');
      return fetch(request.variables);
    }
    const key = rootFetchKey(this.keyBase(request, shape));
    let mark: number;
    try {
      const timer = this.metrics?.cacheLatency.startTimer({ layer: 'root', operation: 'get' });
      const [taken, hit] = await Promise.all([this.store.mark(), this.store.get(key)]);
      timer?.();
      if (hit) {
        this.count('root', 'hit');
        const entry = readEntry(hit.value, []);
        return handingSubjects({ data: entry.value as Record<string, unknown> }, entry.subjects);
      }
      mark = taken;
    } catch (error) {
      this.logger.debug({ err: error }, 'root fetch cache read failed; fetching from the subgraph');
      this.count('root', 'bypass');
      return fetch(request.variables);
    }
    this.count('root', 'miss');
    const response = await fetch(request.variables);
    if (response.errors?.length || !response.data) return response;
    try {
      const tags = responseTags(
        request.policySet.schema,
        request.policySet.ownership.keys,
        shape.document,
        undefined,
        request.variables,
        response.data,
      );
      const timer = this.metrics?.cacheLatency.startTimer({ layer: 'root', operation: 'set' });
      await this.store.set(key, entryText(response.data, handedSubjects(response)), {
        ttlMs: ttlSeconds * 1000,
        tags,
        mark,
      });
      timer?.();
    } catch (error) {
      this.logger.debug({ err: error }, 'root fetch cache write failed');
    }
    return response;
  }
}

function atOriginalIndex(error: GraphQLFormattedError, missing: readonly number[]): GraphQLFormattedError {
  const path = error.path;
  if (!path || path[0] !== '_entities' || typeof path[1] !== 'number' || missing[path[1]] === undefined) return error;
  return { ...error, path: ['_entities', missing[path[1]]!, ...path.slice(2)] };
}
