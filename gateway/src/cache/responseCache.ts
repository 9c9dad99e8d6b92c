import type { GatewayExecutionResult } from '@apollo/server-gateway-interface';
import { GraphQLError } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { OperationView } from '../enforcement';
import type { PolicySet } from '../policy';
import { cachingLimits, decideCaching, responseCacheKey, type CacheDecision, type CacheRules } from './cachePolicy';
import type { HubMetrics } from '../metrics';
import type { CacheStore } from './cacheStore';
import { invalidationTags, type EntityRef } from './responseTags';
import { withoutPaths, type OperationSubjects, type SubjectsByAgency } from '../subjects';

export type CacheStatus = 'HIT' | 'MISS' | 'BYPASS';

/** What the cache did for one request: the response headers and the audit record say it. */
export interface CacheOutcome {
  status: CacheStatus;
  /** Seconds since the entry was stored (HIT). */
  ageSeconds?: number;
  ttlSeconds?: number;
  /** Why it was not cached (BYPASS). */
  reason?: string;
}

/** Error codes a response may carry and still be cached: they are part of the view (row scopes). */
const VIEW_ERROR_CODES = new Set(['OUT_OF_SCOPE']);

interface StoredResult {
  data?: Record<string, unknown> | null;
  /** Per agency, the records the result carries (audit), when counted at fill time. */
  entities?: Record<string, number>;
  /** Per agency, the subjects of those records as the agencies digested them (audit); never part of an answer. */
  subjects?: SubjectsByAgency;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/**
 * The gateway's response cache, in front of the query planner. It stores what the agencies
 * returned for a view's document — denied fields were never fetched — before masks are applied,
 * so the masks (per consumer, e.g. `hash`) run on every response, hit or miss. Only queries are
 * cached, only results whose errors are part of the view, and never longer than the view's cache
 * decision allows. A cache that fails or is slow is skipped: the request is answered from the
 * agencies, never failed.
 */
export class ResponseCache {
  /** Per view (views are compiled once per policy version), what does not change between requests. */
  private readonly limits = new WeakMap<OperationView, CacheDecision>();
  /**
   * Parsed hits, by key, with the exact text they were parsed from: a hit whose stored text is
   * unchanged is not parsed again. Only a parse cache — the store still decides every hit, so an
   * invalidated or refilled entry is never served from here. Frozen: requests share them.
   */
  private readonly parsed = new LRUCache<string, { text: string; stored: StoredResult }>({ max: 256 });

  /** Purges every cached response holding one of these entities (or types); resolves how many. */
  async invalidate(refs: readonly EntityRef[], source = 'admin'): Promise<number> {
    const removed = await this.store.invalidate(invalidationTags(refs));
    this.metrics?.cacheInvalidations.inc({ source });
    this.metrics?.cacheInvalidatedEntries.inc(removed);
    return removed;
  }

  constructor(
    readonly store: CacheStore,
    private readonly rules: CacheRules,
    private readonly logger: Logger,
    private readonly metrics?: HubMetrics,
    /** Off (`CACHE_LAYERS` without `response`): every request BYPASSes, invalidations still purge the fetch layers. */
    private readonly enabled = true,
  ) {}

  async execute(...args: Parameters<ResponseCache['lookup']>): ReturnType<ResponseCache['lookup']> {
    const outcome = await this.lookup(...args);
    this.metrics?.cacheRequests.inc({ layer: 'response', result: outcome.outcome.status.toLowerCase() });
    return outcome;
  }

  private async lookup(
    request: {
      view: OperationView;
      policySet: PolicySet;
      supergraphVersion: string;
      operationName: string | null | undefined;
      variables: Record<string, unknown> | undefined;
      isQuery: boolean;
      now: number;
      /** The operation's subjects: kept with a filled entry, replayed on a hit (the audit records them either way). */
      subjects?: OperationSubjects;
    },
    fetch: () => Promise<GatewayExecutionResult>,
    /** The invalidation tags of a fetched result (its types and entities). */
    tagsOf: (result: GatewayExecutionResult) => string[],
    /**
     * For views whose responses are served as fetched (nothing masked or withheld): the audit's
     * per-agency record counts, computed once at fill time and kept with the entry, so a hit does
     * not walk the response again.
     */
    countsOf?: (result: GatewayExecutionResult) => Record<string, number>,
  ): Promise<{ result: GatewayExecutionResult; outcome: CacheOutcome; entities?: Record<string, number> }> {
    const uncached = async (reason: string) => {
      const result = await fetch();
      return {
        result,
        outcome: { status: 'BYPASS' as const, reason },
        ...(countsOf ? { entities: countsOf(result) } : {}),
      };
    };
    if (!this.enabled) return uncached('the response layer is off');
    if (!request.isQuery) return uncached('not a query');
    let limits = this.limits.get(request.view);
    if (!limits) this.limits.set(request.view, (limits = cachingLimits(request.view, request.policySet, this.rules)));
    const decision = decideCaching(request.view, request.policySet, this.rules, request.now, limits);
    if (decision.ttlSeconds <= 0) return uncached(decision.limitedBy);
    const key = responseCacheKey({
      supergraphVersion: request.supergraphVersion,
      policyVersion: request.policySet.version,
      view: request.view,
      operationName: request.operationName,
      variables: request.variables,
    });

    let mark: number | undefined;
    try {
      const timer = this.metrics?.cacheLatency.startTimer({ layer: 'response', operation: 'get' });
      const hit = await this.store.get(key);
      timer?.();
      if (hit) {
        const ageSeconds = Math.max(0, Math.floor((Date.now() - hit.storedAt) / 1000));
        let stored = this.parsed.get(key)?.text === hit.value ? this.parsed.get(key)!.stored : undefined;
        if (!stored)
          this.parsed.set(key, {
            text: hit.value,
            stored: (stored = deepFreeze(JSON.parse(hit.value) as StoredResult)),
          });
        const result = revive(stored);
        if (stored.subjects) request.subjects?.replay(stored.subjects);
        const entities = countsOf ? (stored.entities ?? countsOf(result)) : undefined;
        return {
          result,
          outcome: { status: 'HIT', ageSeconds, ttlSeconds: decision.ttlSeconds },
          ...(entities ? { entities } : {}),
        };
      }
      mark = await this.store.mark();
    } catch (error) {
      this.logger.debug({ err: error }, 'cache read failed; answering from the agencies');
      return uncached('cache unavailable');
    }

    const result = await fetch();
    const entities = countsOf?.(result);
    const counted = entities ? { entities } : {};
    const cacheable = (result.errors ?? []).every((error) => VIEW_ERROR_CODES.has(String(error.extensions?.code)));
    if (!cacheable) return { result, outcome: { status: 'BYPASS', reason: 'the response has errors' }, ...counted };
    try {
      const subjects = request.subjects?.collected();
      const stored: StoredResult = {
        data: result.data ?? null,
        ...counted,
        ...(subjects ? { subjects: withoutPaths(subjects) } : {}),
        ...(result.errors?.length
          ? {
              errors: result.errors.map((e) => ({
                message: e.message,
                ...(e.path ? { path: [...e.path] } : {}),
                ...(e.extensions ? { extensions: { ...e.extensions } } : {}),
              })),
            }
          : {}),
      };
      const timer = this.metrics?.cacheLatency.startTimer({ layer: 'response', operation: 'set' });
      await this.store.set(key, JSON.stringify(stored), {
        ttlMs: decision.ttlSeconds * 1000,
        tags: [...new Set([...decision.types.map((type) => `type:${type}`), ...tagsOf(result)])],
        mark,
      });
      timer?.();
    } catch (error) {
      this.logger.debug({ err: error }, 'cache write failed');
    }
    return { result, outcome: { status: 'MISS', ttlSeconds: decision.ttlSeconds }, ...counted };
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function revive(stored: StoredResult): GatewayExecutionResult {
  return {
    data: stored.data ?? null,
    ...(stored.errors?.length
      ? {
          errors: stored.errors.map(
            (e) =>
              new GraphQLError(e.message, {
                ...(e.path ? { path: [...e.path] } : {}),
                ...(e.extensions ? { extensions: { ...e.extensions } } : {}),
              }),
          ),
        }
      : {}),
  };
}
