import type { CacheOutcome, CacheStatus } from '../cache';
import type { OperationView } from '../enforcement';
import { LEVELS, type Level, type PolicySet } from '../policy';
import { ANSWER_HEADERS } from './answerHeaders';

/**
 * What HTTP caches between the gateway and its clients may do with a GraphQL answer:
 * `Cache-Control`, `Vary`, `Age` and `x-cache`. The rules (docs/security/http-caching-and-side-stores.md):
 *
 * - `public` only for an answer asked without a token whose every field is UNCONDITIONAL and OPEN
 *   — what anyone on the internet may read anyway — and whose operation was not named by a hash
 *   registered for the asker alone;
 * - `private` for other answers of L1 and L2 data: only the asker's own cache may keep them;
 * - `no-store` for anything of L3 or above, every answer with errors, mutations, anything the
 *   view cannot classify (introspection, refusals), and answers the gateway gives no lifetime.
 *
 * RFC 9111 §5.2.2 (response directives), §4.1 (Vary) and §5.1 (Age).
 */

/** What an answer can carry, from its operation's view: the least open field and the highest level. */
export interface ViewExposure {
  /** Every field the answer can carry is UNCONDITIONAL and OPEN by every agency resolving it. */
  everyFieldOpen: boolean;
  highestLevel: Level;
}

/** Everything the decision looks at for one answer (one operation of a batch). */
export interface AnswerFacts {
  /** `query`, `mutation`, `subscription`; undefined when no operation was resolved (a refusal). */
  operationType: string | undefined;
  /** The answer carries errors: a withheld field, an agency down, a refusal. */
  hasErrors: boolean;
  /** Who asked; undefined when no identity was established (`--open` mode, refused requests). */
  identity: { anonymous: boolean } | undefined;
  /** From the operation's view; undefined when there is none (introspection, refusals, `--open`). */
  exposure: ViewExposure | undefined;
  /** What the response cache did; undefined when it did not run. */
  cache: CacheOutcome | undefined;
  /**
   * The operation was sent by an Automatic Persisted Query hash. Registrations are scoped to the
   * consumer (the public: to the client address), so a shared cache keyed by URL must not learn
   * that such a hash answers: it would tell others what this asker sends.
   */
  namedByScopedHash: boolean;
}

export type HttpCachingDirective = 'public' | 'private' | 'no-store';

export interface HttpCaching {
  directive: HttpCachingDirective;
  /** With `public` and `private`: seconds a cache may serve it. */
  maxAgeSeconds?: number;
  /** Seconds the answer spent in the gateway's response cache (a hit). */
  ageSeconds?: number;
  /** The gateway's response cache: `x-cache`. */
  cacheStatus?: CacheStatus;
  /** Why `no-store` (for logs and tests). */
  reason?: string;
}

const LEVEL_RANK: Readonly<Record<Level, number>> = Object.fromEntries(
  LEVELS.map((level, rank) => [level, rank]),
) as Record<Level, number>;
/** L3 (sensitive personal or commercial) and above never rests in any cache outside the gateway. */
const FIRST_UNSTORABLE_LEVEL: Level = 'L3';

/**
 * The classification of everything a view releases (in clear or masked), as each agency resolving
 * a field classes it — including an agency's own fields, which it reads in full. Denied fields
 * carry nothing (they come back null with an error). Undefined when a released field has no
 * classification at all: the decision then refuses to let the answer be stored. Pure.
 */
export function viewExposure(view: OperationView, policySet: PolicySet): ViewExposure | undefined {
  let everyFieldOpen = true;
  let highest = 0;
  for (const [coordinate, decision] of view.decisions) {
    if (decision.effect === 'deny') continue;
    const rulings = decision.rulings.filter((ruling) => ruling.agency !== 'none');
    if (!rulings.length) return undefined;
    for (const ruling of rulings) {
      const classification = ruling.classification ?? policySet.classify(coordinate, ruling.agency);
      if (classification.sharingClass !== 'UNCONDITIONAL' || classification.open !== 'OPEN') everyFieldOpen = false;
      highest = Math.max(highest, LEVEL_RANK[classification.level]);
    }
  }
  return { everyFieldOpen, highestLevel: LEVELS[highest]! };
}

/** The decision for one answer. Pure. */
export function decideHttpCaching(facts: AnswerFacts): HttpCaching {
  const cacheFacts: Pick<HttpCaching, 'ageSeconds' | 'cacheStatus'> = {
    ...(facts.cache ? { cacheStatus: facts.cache.status } : {}),
    ...(facts.cache?.status === 'HIT' ? { ageSeconds: facts.cache.ageSeconds ?? 0 } : {}),
  };
  const noStore = (reason: string): HttpCaching => ({ directive: 'no-store', reason, ...cacheFacts });
  if (facts.operationType !== 'query')
    return noStore(facts.operationType ? `a ${facts.operationType}` : 'no operation ran');
  if (facts.hasErrors) return noStore('the answer has errors');
  if (!facts.exposure) return noStore('no view classifies what the answer carries');
  if (LEVEL_RANK[facts.exposure.highestLevel] >= LEVEL_RANK[FIRST_UNSTORABLE_LEVEL])
    return noStore(`it carries ${facts.exposure.highestLevel} data`);
  const ttl = facts.cache?.status === 'BYPASS' ? 0 : (facts.cache?.ttlSeconds ?? 0);
  if (ttl <= 0) return noStore('the gateway gives it no lifetime');
  const maxAgeSeconds = Math.max(0, ttl - (facts.cache?.ageSeconds ?? 0));
  const shareable = facts.identity?.anonymous === true && facts.exposure.everyFieldOpen && !facts.namedByScopedHash;
  return { directive: shareable ? 'public' : 'private', maxAgeSeconds, ...cacheFacts };
}

const STRICTNESS: Readonly<Record<HttpCachingDirective, number>> = { public: 0, private: 1, 'no-store': 2 };
const STATUS_WEIGHT: Readonly<Record<CacheStatus, number>> = { HIT: 0, MISS: 1, BYPASS: 2 };

/**
 * Two answers sent as one HTTP response (a batch): the stricter directive, the shorter lifetime,
 * the older age; `x-cache` is HIT only when every member was a hit. Pure, associative.
 */
export function combineHttpCaching(a: HttpCaching, b: HttpCaching): HttpCaching {
  const directive = STRICTNESS[a.directive] >= STRICTNESS[b.directive] ? a.directive : b.directive;
  const maxAges = [a.maxAgeSeconds, b.maxAgeSeconds].filter((age): age is number => age !== undefined);
  const ages = [a.ageSeconds, b.ageSeconds].filter((age): age is number => age !== undefined);
  const statuses = [a.cacheStatus, b.cacheStatus].filter((status): status is CacheStatus => status !== undefined);
  const reason = [a, b].find((caching) => caching.directive === 'no-store')?.reason;
  return {
    directive,
    ...(directive !== 'no-store' && maxAges.length ? { maxAgeSeconds: Math.min(...maxAges) } : {}),
    ...(ages.length ? { ageSeconds: Math.max(...ages) } : {}),
    ...(statuses.length
      ? { cacheStatus: statuses.reduce((x, y) => (STATUS_WEIGHT[x] >= STATUS_WEIGHT[y] ? x : y)) }
      : {}),
    ...(directive === 'no-store' && reason ? { reason } : {}),
  };
}

/**
 * Every request header that changes a GraphQL answer: who asks (`Authorization`), for what
 * (`X-Data-Purpose`), in which media type (`Accept`), and whether Apollo Server's CSRF check lets a
 * GET through (`Content-Type`, `Apollo-Require-Preflight`, `X-Apollo-Operation-Name`); with CORS on,
 * `Origin` decides the CORS headers. The client address (the public's APQ scope and rate limit)
 * is not a header a cache sees: answers it changes are never `public` (see `namedByScopedHash`).
 */
export function varyHeader(options: { cors: boolean }): string {
  return [
    'Accept',
    'Authorization',
    'X-Data-Purpose',
    'Content-Type',
    'Apollo-Require-Preflight',
    'X-Apollo-Operation-Name',
    ...(options.cors ? ['Origin'] : []),
  ].join(', ');
}

/** The response headers of a decision (`Vary` aside: it is the same for every answer). */
export function httpCachingHeaders(caching: HttpCaching): [name: string, value: string][] {
  const headers: [string, string][] = [
    [
      'cache-control',
      caching.directive === 'no-store' ? 'no-store' : `${caching.directive}, max-age=${caching.maxAgeSeconds ?? 0}`,
    ],
  ];
  if (caching.cacheStatus) headers.push([ANSWER_HEADERS.cacheStatus, caching.cacheStatus]);
  if (caching.ageSeconds !== undefined) headers.push([ANSWER_HEADERS.age, String(caching.ageSeconds)]);
  return headers;
}
