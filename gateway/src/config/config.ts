import { join, resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_TOKEN_MAX_TTL_SECONDS, type OperationLimits, type RequestLimits } from './limitSettings';
import { parseDuration } from '../formats';

/**
 * The gateway's settings, read from the environment once at start-up. Every port, URL and path
 * has a default that runs the hub on one machine; each can be overridden.
 */
export interface GatewayConfig {
  host: string;
  port: number;
  supergraphFile: string;
  /** Serve the schema registry's supergraph when it has one, and follow its publishes (unless SUPERGRAPH_FILE names a file). */
  followRegistry: boolean;
  /** `production` hides unexpected error messages and the query-plan header. */
  production: boolean;
  logLevel: string;
  /** Subgraph URL overrides by subgraph name, from `<NAME>_URL` variables. */
  subgraphUrls: Record<string, string>;
  /** How long `/readyz` waits for each subgraph. */
  readinessTimeoutMs: number;
  /** Folder of the agencies' sharing policies (`<agency>.yaml`). */
  policyDir: string;
  /** The consumer registry. */
  consumersFile: string;
  /** Serve everything with no policy (`hub gateway --open`): local subgraph development only. */
  open: boolean;
  /** What a request reading a withheld field gets: the field as null with an error, or a refusal. */
  onDenied: 'null' | 'reject';
  /** Refuse requests without a token (401) instead of treating them as the public. */
  requireToken: boolean;
  /** How tokens are verified: the hub's HS256 secret, or RS256 against a JWKS URL or a public key file. */
  jwksUrl?: string;
  jwtPublicKeyFile?: string;
  /** The longest a bearer token may live (`exp − iat`, or `exp − now`), whoever issued it. */
  tokenMaxTtlSeconds: number;
  /**
   * A separate listener for `/metrics` and the detail of `/readyz`, served without credentials to
   * whoever reaches it (network isolation); the gateway port then serves no `/metrics`. Unset:
   * both on the gateway port, for a `hub-operator` token.
   */
  metricsPort?: number;
  metricsHost: string;
  /** Deadline of each subgraph call. */
  subgraphTimeoutMs: number;
  /** Deadlines of one subgraph's calls, by variable name (`SUBGRAPH_TIMEOUT_MS_SCIENCE`…): see `subgraphTimeoutVariable`. */
  subgraphTimeouts: Record<string, number>;
  /** The subgraphs' circuit breakers: consecutive failures that open one, and its cool-down before a trial call. */
  circuit: { failureThreshold: number; coolDownMs: number };
  /** Send stack traces with unexpected errors (never in production). */
  debugErrors: boolean;
  /** Folder of the JSONL audit trail. */
  auditDir: string;
  /** Refuse to serve agency data when its audit record cannot be written (default), or serve and log. */
  auditFailClosed: boolean;
  /** How long a response may wait for its audit record to be durable. */
  auditWaitMs: number;
  /** Write the audit trail to a Redis Stream on this server instead of files (never the cache's Redis). */
  auditRedisUrl?: string;
  /** This gateway's name in a shared audit Redis: each gateway writes its own stream. */
  auditInstance: string;
  /** Accept an audit Redis that fsyncs its append-only file once a second (up to 1 s lost on a host crash). */
  auditRedisAllowEverysec: boolean;
  /** Folder of the audit witness (a copy of every checkpoint, keyed by trail id), outside `auditDir`. */
  auditWitnessDir: string;
  /** Keep the audit witness on this Redis instead of `auditWitnessDir` (never the audit Redis itself). */
  auditWitnessRedisUrl?: string;
  /** How long after a record not yet covered by a checkpoint the checkpoint is written. */
  auditCheckpointIntervalMs: number;
  /** Folder of the grant store (requests and approved grants), watched by every gateway. */
  grantStoreDir: string;
  /** Folder of the schema registry (published subgraph schemas and supergraphs); git-ignored. */
  schemaRegistryDir: string;
  /** Keep the schema registry on this Redis instead (must not evict, must persist every write). */
  schemaRegistryRedisUrl?: string;
  /** Keep the grant store on this Redis instead of the folder (several gateways on several machines). */
  grantStoreRedisUrl?: string;
  /** The response cache: `memory` (default), `redis` (when REDIS_URL is set) or `off`. */
  cache: 'memory' | 'redis' | 'off';
  /** The cache's Redis (never the audit Redis): one URL, or several nodes for a Cluster. */
  redisUrl?: string;
  /** How `redisUrl` is reached: one server, a Cluster (comma-separated node URLs), or through Sentinels. */
  redisMode: 'single' | 'cluster' | 'sentinel';
  /** With `sentinel`: the Sentinels (`host:port,…`) and the name of the monitored master. */
  redisSentinels?: { host: string; port: number }[];
  redisSentinelName?: string;
  /** Size bound of the in-memory cache. */
  cacheMaxBytes: number;
  /** How long a cache command may take before the gateway answers without the cache. */
  cacheTimeoutMs: number;
  /** TTLs per type and caps per sharing class and level. */
  cacheRulesFile: string;
  /** Bounds on each operation's shape, checked before planning. */
  limits: OperationLimits;
  /** Bounds on each HTTP request: batch length, variables size. */
  requestLimits: RequestLimits;
  /** Largest request body read, in bytes (413 PAYLOAD_TOO_LARGE beyond). */
  maxBodyBytes: number;
  /** Largest number of lexical tokens parsed in one document (GRAPHQL_PARSE_FAILED beyond). */
  maxTokens: number;
  /** Addresses of proxies in front of the gateway whose X-Forwarded-For is believed (the public's rate limit is per client address). */
  trustProxy: string[];
  /** Automatic Persisted Queries (`apq`, Apollo's default), none (`off`), or only the operations of the allow-list (`only`). */
  persistedOperations: 'apq' | 'off' | 'only';
  /** The allow-list (a persisted-query manifest), read with `only`. */
  persistedOperationsFile: string;
  /** How long an Automatic Persisted Query registration lasts (each is its consumer's own; the public's per address). */
  apqTtlSeconds: number;
  /** On SIGTERM: how long to keep serving once /readyz fails, then how long draining may take in all. */
  shutdownDelayMs: number;
  shutdownTimeoutMs: number;
  /** Requests per consumer per minute (sliding window), unless the registry sets one; 0: no limit. */
  rateLimitPerMinute: number;
  /** Origins whose browser apps may call the gateway (CORS); empty: none, `*`: any. */
  corsOrigins: string[];
  /** Serve GraphiQL at `/playground` (and redirect `/` there); on unless NODE_ENV=production. */
  playground: boolean;
  /** Which caches run: whole responses, entity fetches (`_entities`), root-field fetches. */
  cacheLayers: ReadonlySet<'response' | 'entity' | 'root'>;
  /** Public holidays and make-up workdays, for the 10-working-day answer deadline. */
  calendarFile: string;
}

/** The committed development supergraph, `schema/supergraph.graphql` at the repository root. */
export const SCHEMA_DIR = resolve(__dirname, '..', '..', '..', 'schema');
export const DEFAULT_SUPERGRAPH_FILE = resolve(SCHEMA_DIR, 'supergraph.graphql');
export const DEFAULT_POLICY_DIR = resolve(SCHEMA_DIR, 'policies');
export const DEFAULT_CONSUMERS_FILE = resolve(SCHEMA_DIR, 'consumers.yaml');
export const DEFAULT_CACHE_RULES_FILE = resolve(SCHEMA_DIR, 'cache.yaml');
export const DEFAULT_OPERATIONS_FILE = resolve(SCHEMA_DIR, 'operations', 'manifest.json');
export const DEFAULT_CALENDAR_FILE = resolve(SCHEMA_DIR, 'calendar', 'holidays.yaml');

const port = z.coerce.number().int().min(0).max(65535);

const environment = z.object({
  GATEWAY_HOST: z.string().min(1).default('localhost'),
  GATEWAY_PORT: port.default(4000),
  SUPERGRAPH_FILE: z.string().min(1).optional(),
  NODE_ENV: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  READINESS_TIMEOUT_MS: z.coerce.number().int().positive().default(1000),
  POLICY_DIR: z.string().min(1).optional(),
  CONSUMERS_FILE: z.string().min(1).optional(),
  HUB_ON_DENIED: z.enum(['null', 'reject']).default('null'),
  HUB_REQUIRE_TOKEN: z.enum(['true', 'false']).default('false'),
  JWT_JWKS_URL: z.url().optional(),
  JWT_PUBLIC_KEY_FILE: z.string().min(1).optional(),
  TOKEN_MAX_TTL: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return DEFAULT_TOKEN_MAX_TTL_SECONDS;
      try {
        const seconds = parseDuration(value);
        if (seconds > 0) return seconds;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a positive duration (e.g. 30m, 8h, 24h, 7d)` });
      return z.NEVER;
    }),
  METRICS_PORT: port.optional(),
  METRICS_HOST: z.string().min(1).optional(),
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  SUBGRAPH_CIRCUIT_FAILURES: z.coerce.number().int().positive().default(5),
  SUBGRAPH_CIRCUIT_COOL_DOWN_MS: z.coerce.number().int().positive().default(10_000),
  HUB_DEBUG_ERRORS: z.enum(['true', 'false']).default('false'),
  HUB_DATA_DIR: z.string().min(1).optional(),
  AUDIT_DIR: z.string().min(1).optional(),
  AUDIT_FAIL_CLOSED: z.enum(['true', 'false']).default('true'),
  AUDIT_WAIT_MS: z.coerce.number().int().positive().default(1000),
  GRANT_STORE_DIR: z.string().min(1).optional(),
  SCHEMA_REGISTRY_DIR: z.string().min(1).optional(),
  SCHEMA_REGISTRY_REDIS_URL: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL').optional(),
  AUDIT_REDIS_URL: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL').optional(),
  AUDIT_INSTANCE: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash, underscore').default('gateway'),
  AUDIT_REDIS_ALLOW_EVERYSEC: z.enum(['true', 'false']).default('false'),
  AUDIT_WITNESS_DIR: z.string().min(1).optional(),
  AUDIT_WITNESS_REDIS_URL: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL').optional(),
  AUDIT_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  HUB_CALENDAR_FILE: z.string().min(1).optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\/[^,]+(,rediss?:\/\/[^,]+)*$/, 'a redis:// or rediss:// URL (comma-separated for a Cluster)').optional(),
  REDIS_MODE: z.enum(['single', 'cluster', 'sentinel']).default('single'),
  REDIS_SENTINELS: z.string().regex(/^[^:,\s]+:\d+(,[^:,\s]+:\d+)*$/, 'host:port,host:port').optional(),
  REDIS_SENTINEL_NAME: z.string().min(1).default('mymaster'),
  CACHE: z.enum(['on', 'off']).default('on'),
  CACHE_MAX_MB: z.coerce.number().positive().default(64),
  CACHE_TIMEOUT_MS: z.coerce.number().int().positive().default(100),
  CACHE_RULES_FILE: z.string().min(1).optional(),
  PLAYGROUND: z.enum(['on', 'off']).optional(),
  LIMIT_DEPTH: z.coerce.number().int().positive().default(15),
  LIMIT_ALIASES: z.coerce.number().int().nonnegative().default(30),
  LIMIT_ROOT_FIELDS: z.coerce.number().int().positive().default(20),
  LIMIT_FIELDS: z.coerce.number().int().positive().default(2000),
  LIMIT_INTROSPECTION_DEPTH: z.coerce.number().int().positive().default(15),
  LIMIT_LIST_SIZE: z.coerce.number().int().positive().default(100),
  LIMIT_BATCH: z.coerce.number().int().positive().default(10),
  LIMIT_VARIABLES_BYTES: z.coerce.number().int().positive().default(64 * 1024),
  LIMIT_BODY_BYTES: z.coerce.number().int().positive().default(512 * 1024),
  LIMIT_TOKENS: z.coerce.number().int().positive().default(50_000),
  TRUST_PROXY: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((entry) => entry.trim()).filter(Boolean)),
  PERSISTED_OPERATIONS: z.enum(['apq', 'off', 'only']).default('apq'),
  PERSISTED_OPERATIONS_FILE: z.string().min(1).optional(),
  APQ_TTL_SECONDS: z.coerce.number().int().positive().default(86_400),
  SHUTDOWN_DELAY_MS: z.coerce.number().int().nonnegative().default(0),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().nonnegative().default(1200),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
    .pipe(z.array(z.union([z.literal('*'), z.url({ protocol: /^https?$/ })]))),
  CACHE_LAYERS: z
    .string()
    .default('response,entity,root')
    .transform((value, ctx) => {
      const layers = value.split(',').map((layer) => layer.trim()).filter(Boolean);
      const unknown = layers.filter((layer) => !['response', 'entity', 'root'].includes(layer));
      if (unknown.length) {
        ctx.addIssue({ code: 'custom', message: `unknown cache layer(s) ${unknown.join(', ')}: use response, entity, root` });
        return z.NEVER;
      }
      return new Set(layers as ('response' | 'entity' | 'root')[]);
    }),
  GRANT_STORE_REDIS_URL: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL').optional(),
});

/** The environment variable that overrides a subgraph's URL: `development-reform` → `DEVELOPMENT_REFORM_URL`. */
export function subgraphUrlVariable(subgraphName: string): string {
  return `${subgraphName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}

/** The environment variable that overrides one subgraph's deadline: `development-reform` → `SUBGRAPH_TIMEOUT_MS_DEVELOPMENT_REFORM`. */
export function subgraphTimeoutVariable(subgraphName: string): string {
  return `${SUBGRAPH_TIMEOUT_PREFIX}${subgraphName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

const SUBGRAPH_TIMEOUT_PREFIX = 'SUBGRAPH_TIMEOUT_MS_';

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  const parsed = environment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`invalid gateway configuration: ${problems}`);
  }
  const values = parsed.data;
  // Per-subgraph deadlines: a malformed one stops the start, like every other setting.
  const subgraphTimeouts: Record<string, number> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(SUBGRAPH_TIMEOUT_PREFIX) || value === undefined) continue;
    const milliseconds = Number(value);
    if (!Number.isInteger(milliseconds) || milliseconds <= 0) throw new Error(`invalid gateway configuration: ${name}: a positive whole number of milliseconds; got "${value}"`);
    subgraphTimeouts[name] = milliseconds;
  }
  // Only `<NAME>_URL` variables of subgraphs are read (HubGateway.routingUrl), so collecting every
  // `*_URL` here is harmless: REDIS_URL and friends are simply never asked for.
  const subgraphUrls: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (name.endsWith('_URL') && value) subgraphUrls[name] = value;
  }
  return {
    host: values.GATEWAY_HOST,
    port: values.GATEWAY_PORT,
    supergraphFile: resolve(values.SUPERGRAPH_FILE ?? DEFAULT_SUPERGRAPH_FILE),
    followRegistry: !values.SUPERGRAPH_FILE,
    production: values.NODE_ENV === 'production',
    logLevel: values.LOG_LEVEL,
    subgraphUrls,
    readinessTimeoutMs: values.READINESS_TIMEOUT_MS,
    policyDir: resolve(values.POLICY_DIR ?? DEFAULT_POLICY_DIR),
    consumersFile: resolve(values.CONSUMERS_FILE ?? DEFAULT_CONSUMERS_FILE),
    open: false,
    onDenied: values.HUB_ON_DENIED,
    requireToken: values.HUB_REQUIRE_TOKEN === 'true',
    ...(values.JWT_JWKS_URL ? { jwksUrl: values.JWT_JWKS_URL } : {}),
    ...(values.JWT_PUBLIC_KEY_FILE ? { jwtPublicKeyFile: resolve(values.JWT_PUBLIC_KEY_FILE) } : {}),
    tokenMaxTtlSeconds: values.TOKEN_MAX_TTL,
    ...(values.METRICS_PORT !== undefined ? { metricsPort: values.METRICS_PORT } : {}),
    metricsHost: values.METRICS_HOST ?? values.GATEWAY_HOST,
    subgraphTimeoutMs: values.SUBGRAPH_TIMEOUT_MS,
    subgraphTimeouts,
    circuit: { failureThreshold: values.SUBGRAPH_CIRCUIT_FAILURES, coolDownMs: values.SUBGRAPH_CIRCUIT_COOL_DOWN_MS },
    debugErrors: values.HUB_DEBUG_ERRORS === 'true' && values.NODE_ENV !== 'production',
    auditDir: resolve(values.AUDIT_DIR ?? join(values.HUB_DATA_DIR ?? resolve(SCHEMA_DIR, '..', '.data'), 'audit')),
    auditFailClosed: values.AUDIT_FAIL_CLOSED === 'true',
    auditWaitMs: values.AUDIT_WAIT_MS,
    ...(values.AUDIT_REDIS_URL ? { auditRedisUrl: values.AUDIT_REDIS_URL } : {}),
    auditInstance: values.AUDIT_INSTANCE,
    auditRedisAllowEverysec: values.AUDIT_REDIS_ALLOW_EVERYSEC === 'true',
    auditWitnessDir: resolve(values.AUDIT_WITNESS_DIR ?? join(values.HUB_DATA_DIR ?? resolve(SCHEMA_DIR, '..', '.data'), 'audit-witness')),
    ...(values.AUDIT_WITNESS_REDIS_URL ? { auditWitnessRedisUrl: values.AUDIT_WITNESS_REDIS_URL } : {}),
    auditCheckpointIntervalMs: values.AUDIT_CHECKPOINT_INTERVAL_MS,
    schemaRegistryDir: resolve(values.SCHEMA_REGISTRY_DIR ?? join(SCHEMA_DIR, 'registry')),
    ...(values.SCHEMA_REGISTRY_REDIS_URL ? { schemaRegistryRedisUrl: values.SCHEMA_REGISTRY_REDIS_URL } : {}),
    grantStoreDir: resolve(values.GRANT_STORE_DIR ?? join(values.HUB_DATA_DIR ?? resolve(SCHEMA_DIR, '..', '.data'), 'grants')),
    ...(values.GRANT_STORE_REDIS_URL ? { grantStoreRedisUrl: values.GRANT_STORE_REDIS_URL } : {}),
    cache: values.CACHE === 'off' ? 'off' : values.REDIS_URL || (values.REDIS_MODE === 'sentinel' && values.REDIS_SENTINELS) ? 'redis' : 'memory',
    ...(values.REDIS_URL ? { redisUrl: values.REDIS_URL } : {}),
    redisMode: values.REDIS_MODE,
    ...(values.REDIS_SENTINELS ? { redisSentinels: values.REDIS_SENTINELS.split(',').map((node) => ({ host: node.slice(0, node.lastIndexOf(':')), port: Number(node.slice(node.lastIndexOf(':') + 1)) })) } : {}),
    redisSentinelName: values.REDIS_SENTINEL_NAME,
    cacheMaxBytes: Math.round(values.CACHE_MAX_MB * 2 ** 20),
    cacheTimeoutMs: values.CACHE_TIMEOUT_MS,
    cacheRulesFile: resolve(values.CACHE_RULES_FILE ?? DEFAULT_CACHE_RULES_FILE),
    cacheLayers: values.CACHE_LAYERS,
    limits: {
      maxDepth: values.LIMIT_DEPTH,
      maxAliases: values.LIMIT_ALIASES,
      maxRootFields: values.LIMIT_ROOT_FIELDS,
      maxFields: values.LIMIT_FIELDS,
      maxIntrospectionDepth: values.LIMIT_INTROSPECTION_DEPTH,
      maxListSize: values.LIMIT_LIST_SIZE,
    },
    requestLimits: { maxBatch: values.LIMIT_BATCH, maxVariablesBytes: values.LIMIT_VARIABLES_BYTES },
    maxBodyBytes: values.LIMIT_BODY_BYTES,
    maxTokens: values.LIMIT_TOKENS,
    corsOrigins: values.CORS_ORIGINS,
    rateLimitPerMinute: values.RATE_LIMIT_PER_MINUTE,
    trustProxy: values.TRUST_PROXY,
    persistedOperations: values.PERSISTED_OPERATIONS,
    persistedOperationsFile: resolve(values.PERSISTED_OPERATIONS_FILE ?? DEFAULT_OPERATIONS_FILE),
    apqTtlSeconds: values.APQ_TTL_SECONDS,
    shutdownDelayMs: values.SHUTDOWN_DELAY_MS,
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS,
    playground: values.PLAYGROUND ? values.PLAYGROUND === 'on' : values.NODE_ENV !== 'production',
    calendarFile: resolve(values.HUB_CALENDAR_FILE ?? DEFAULT_CALENDAR_FILE),
    ...overrides,
  };
}
