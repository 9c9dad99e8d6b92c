import { createHash } from 'node:crypto';
import { z } from 'zod';
import { MAX_CACHE_TTL_SECONDS } from '@cdo-hub/contracts/caching';
import { LEVELS, SHARING_CLASSES, type Level, type PolicySet, type SharingClass } from '../policy';
import { canonicalJson, parseDuration, readYamlSource } from '../formats';
import type { OperationView } from '../enforcement';

/**
 * How long responses may be cached (`schema/cache.yaml`): a TTL per type, capped per sharing
 * class and per level. A response's TTL is the smallest over every field it releases, and never
 * runs past the expiry of a grant its view relies on.
 */
export interface CacheRules {
  /** For responses holding no type with a TTL of its own. */
  defaultTtlSeconds: number;
  types: ReadonlyMap<string, number>;
  classCaps: Readonly<Record<SharingClass, number>>;
  levelCaps: Readonly<Partial<Record<Level, number>>>;
}

const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  try {
    return typeof value === 'number' ? value : parseDuration(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const rulesSchema = z
  .object({
    defaultTtl: duration,
    types: z.record(z.string(), duration).default({}),
    caps: z
      .object({
        classes: z.partialRecord(z.enum(SHARING_CLASSES), duration).default({}),
        levels: z.partialRecord(z.enum(LEVELS), duration).default({}),
      })
      .strict(),
  })
  .strict();

// The longest a cached answer may live is agreed with the agencies (their cursors must outlive
// it): the bound lives in @cdo-hub/contracts. Caps may be longer (they only shorten);
// `defaultTtl` and every type's TTL may not.
export { MAX_CACHE_TTL_SECONDS };

export function parseCacheRules(value: unknown, source: string): CacheRules {
  const parsed = rulesSchema.safeParse(value);
  if (!parsed.success)
    throw new Error(
      `${source}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ')}`,
    );
  const rules = parsed.data;
  const tooLong = [
    ['defaultTtl', rules.defaultTtl] as const,
    ...Object.entries(rules.types).map(([type, ttl]) => [`types.${type}`, ttl] as const),
  ].filter(([, ttl]) => ttl > MAX_CACHE_TTL_SECONDS);
  if (tooLong.length) {
    throw new Error(
      `${source}: ${tooLong.map(([where, ttl]) => `${where}: ${ttl}s is longer than the ${MAX_CACHE_TTL_SECONDS}s a cached answer may live (its cursors must still open when it is served)`).join('; ')}`,
    );
  }
  return {
    defaultTtlSeconds: rules.defaultTtl,
    types: new Map(Object.entries(rules.types)),
    // NOT_SHARED data reaches only its own agency; it is cached like L4 data: not at all unless capped higher.
    classCaps: {
      UNCONDITIONAL: rules.caps.classes.UNCONDITIONAL ?? Infinity,
      CONDITIONAL: rules.caps.classes.CONDITIONAL ?? Infinity,
      NOT_SHARED: rules.caps.classes.NOT_SHARED ?? 0,
    },
    levelCaps: rules.caps.levels,
  };
}

export function loadCacheRules(file: string): CacheRules {
  const source = readYamlSource(file);
  if (source.syntaxErrors.length)
    throw new Error(`${file}:${source.syntaxErrors[0]!.line}: ${source.syntaxErrors[0]!.message}`);
  return parseCacheRules(source.value, file);
}

export interface CacheDecision {
  /** 0: do not cache. */
  ttlSeconds: number;
  /** `public` only when everything released is UNCONDITIONAL. */
  scope: 'public' | 'private';
  /** Why the TTL is what it is (the binding limit), for logs and `hub cache explain`. */
  limitedBy: string;
  /** Types whose data the response holds: invalidation tags. */
  types: string[];
}

/**
 * The cache decision for one view, at `now`. Pure. Every field the view releases (in clear or
 * masked) bounds the TTL by its type's TTL when the rules give one (wrappers such as `Query` and
 * connections have none; a response holding no type with a TTL gets `defaultTtl`), by its sharing
 * class's cap and by its level's cap, as each agency resolving it classes it; grants bound it by
 * their expiry.
 */
export function decideCaching(
  view: OperationView,
  policySet: PolicySet,
  rules: CacheRules,
  now: number,
  limits = cachingLimits(view, policySet, rules),
): CacheDecision {
  if (!Number.isFinite(view.validUntil)) return limits;
  const untilExpiry = Math.max(0, Math.floor((view.validUntil - now) / 1000));
  return untilExpiry < limits.ttlSeconds
    ? { ...limits, ttlSeconds: untilExpiry, limitedBy: 'the expiry of a grant it uses' }
    : limits;
}

/**
 * The part of the decision that depends on the view alone (everything but the grants' expiry), so
 * it can be computed once per view rather than per request. Pure.
 */
export function cachingLimits(view: OperationView, policySet: PolicySet, rules: CacheRules): CacheDecision {
  let ttl = Infinity;
  let limitedBy = 'nothing';
  let scope: CacheDecision['scope'] = 'public';
  const types = new Set<string>();
  const bound = (seconds: number, why: string) => {
    if (seconds < ttl) {
      ttl = seconds;
      limitedBy = why;
    }
  };
  for (const [coordinate, decision] of view.decisions) {
    if (decision.effect === 'deny') continue;
    const typeName = coordinate.slice(0, coordinate.indexOf('.'));
    types.add(typeName);
    const typeTtl = rules.types.get(typeName);
    if (typeTtl !== undefined) bound(typeTtl, `the TTL of ${typeName}`);
    for (const ruling of decision.rulings) {
      if (ruling.agency === 'none') continue;
      const classification = ruling.classification ?? policySet.classify(coordinate, ruling.agency);
      if (classification.sharingClass !== 'UNCONDITIONAL') scope = 'private';
      bound(rules.classCaps[classification.sharingClass], `${coordinate} is ${classification.sharingClass}`);
      // A CDO may mark a field `cacheable: true`: its level no longer forbids caching (the class cap still holds).
      const levelCap = classification.cacheable ? undefined : rules.levelCaps[classification.level];
      if (levelCap !== undefined) bound(levelCap, `${coordinate} is ${classification.level}`);
    }
  }
  if (![...types].some((type) => rules.types.has(type))) bound(rules.defaultTtlSeconds, 'the default TTL');
  return { ttlSeconds: Math.max(0, Math.floor(ttl)), scope, limitedBy, types: [...types].sort() };
}

/**
 * The response-cache key: everything that decides what the subgraphs return for this request —
 * supergraph and policy versions, the view's fingerprint (its decisions and row scopes: consumers
 * whose decisions are identical share entries, others never do), the executed document, the
 * operation name and the variables (canonical JSON). Masks are not in it: they are applied after
 * the cache, per consumer.
 */
export function responseCacheKey(parts: {
  supergraphVersion: string;
  policyVersion: string;
  view: OperationView;
  operationName: string | null | undefined;
  variables: Record<string, unknown> | undefined;
}): string {
  return createHash('sha256')
    .update(
      `${parts.supergraphVersion}\n${parts.policyVersion}\n${parts.view.fingerprint}\n${parts.view.queryHash}\n${parts.operationName ?? ''}\n${canonicalJson(parts.variables ?? {})}`,
    )
    .digest('hex');
}
