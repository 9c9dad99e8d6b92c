import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { ServerTlsFiles } from '@cdo-hub/contracts';
import {
  DEFAULT_CACHE_RULES_FILE,
  DEFAULT_CALENDAR_FILE,
  DEFAULT_CONSUMERS_FILE,
  DEFAULT_OPERATIONS_FILE,
  DEFAULT_POLICY_DIR,
  DEFAULT_CATALOG_DIR,
  DEFAULT_SUPERGRAPH_FILE,
  SCHEMA_DIR,
} from './paths';
import { GATEWAY_SETTINGS } from './settings';

type SettingSchemas = { [Name in keyof typeof GATEWAY_SETTINGS]: (typeof GATEWAY_SETTINGS)[Name]['schema'] };

const environment = z.object(
  Object.fromEntries(Object.entries(GATEWAY_SETTINGS).map(([name, { schema }]) => [name, schema])) as SettingSchemas,
);

/** The environment variable that overrides a subgraph's URL: `development-reform` → `DEVELOPMENT_REFORM_URL`. */
export function subgraphUrlVariable(subgraphName: string): string {
  return `${subgraphName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}

/** The environment variable that overrides one subgraph's deadline: `development-reform` → `SUBGRAPH_TIMEOUT_MS_DEVELOPMENT_REFORM`. */
export function subgraphTimeoutVariable(subgraphName: string): string {
  return `${SUBGRAPH_TIMEOUT_PREFIX}${subgraphName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

const SUBGRAPH_TIMEOUT_PREFIX = 'SUBGRAPH_TIMEOUT_MS_';

/**
 * The gateway's settings, assembled from the parsed environment (`GATEWAY_SETTINGS`): what each
 * variable means is said there; here, how several combine (data folders, the cache backend, limits).
 * `GatewayConfig` is this function's result, so a setting is declared in the table and read here,
 * nowhere else.
 */
function serverTlsFiles(values: z.infer<typeof environment>): ServerTlsFiles | undefined {
  const { TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile, TLS_CLIENT_CA_FILE: clientCaFile } = values;
  if (!certFile && !keyFile) {
    if (clientCaFile)
      throw new Error('invalid gateway configuration: TLS_CLIENT_CA_FILE needs TLS_CERT_FILE and TLS_KEY_FILE');
    return undefined;
  }
  if (!certFile || !keyFile)
    throw new Error(
      'invalid gateway configuration: TLS_CERT_FILE and TLS_KEY_FILE go together (one is set, not the other)',
    );
  return {
    certFile: resolve(certFile),
    keyFile: resolve(keyFile),
    ...(clientCaFile ? { clientCaFile: resolve(clientCaFile) } : {}),
  };
}

function assembleConfig(values: z.infer<typeof environment>, env: NodeJS.ProcessEnv) {
  // Per-subgraph deadlines: a malformed one stops the start, like every other setting.
  const subgraphTimeouts: Record<string, number> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(SUBGRAPH_TIMEOUT_PREFIX) || value === undefined) continue;
    const milliseconds = Number(value);
    if (!Number.isInteger(milliseconds) || milliseconds <= 0)
      throw new Error(
        `invalid gateway configuration: ${name}: a positive whole number of milliseconds; got "${value}"`,
      );
    subgraphTimeouts[name] = milliseconds;
  }
  // Only `<NAME>_URL` variables of subgraphs are read (HubGateway.routingUrl), so collecting every
  // `*_URL` here is harmless: REDIS_URL and friends are simply never asked for.
  const subgraphUrls: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (name.endsWith('_URL') && value) subgraphUrls[name] = value;
  }
  // The agencies' subject keys (`<NAME>_SUBJECT_KEY`, or `…_FILE`): the transparency page digests a
  // person's ID with them to find their reads. Read through `readSubjectKey`, which supplies the
  // development key unless in production.
  const subjectKeys: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (/_SUBJECT_KEY(_FILE)?$/.test(name) && value) subjectKeys[name] = value;
  }
  const dataDir = values.HUB_DATA_DIR ?? resolve(SCHEMA_DIR, '..', '.data');
  return {
    host: values.GATEWAY_HOST,
    port: values.GATEWAY_PORT,
    /** Gateway processes on the one port: 1 unless set, the cores available in production. */
    workers: values.GATEWAY_WORKERS ?? (values.NODE_ENV === 'production' ? availableParallelism() : 1),
    /** V8's heap growing factor for gateway processes, in percent over the live heap (0: V8's own). */
    heapGrowthPercent: values.GATEWAY_HEAP_GROWTH_PERCENT,
    supergraphFile: resolve(values.SUPERGRAPH_FILE ?? DEFAULT_SUPERGRAPH_FILE),
    /** Serve the schema registry's supergraph when it has one, and follow its publishes (unless SUPERGRAPH_FILE names a file). */
    followRegistry: !values.SUPERGRAPH_FILE,
    /** `production` hides unexpected error messages and the query-plan header. */
    production: values.NODE_ENV === 'production',
    logLevel: values.LOG_LEVEL,
    /** Subgraph URL overrides by variable name (`<NAME>_URL`). */
    subgraphUrls,
    subjectKeys,
    readinessTimeoutMs: values.READINESS_TIMEOUT_MS,
    policyDir: resolve(values.POLICY_DIR ?? DEFAULT_POLICY_DIR),
    consumersFile: resolve(values.CONSUMERS_FILE ?? DEFAULT_CONSUMERS_FILE),
    catalogDir: resolve(values.CATALOG_DIR ?? DEFAULT_CATALOG_DIR),
    /** Serve everything with no policy (`hub gateway --open`): local subgraph development only. */
    open: false as boolean,
    onDenied: values.HUB_ON_DENIED,
    requireToken: values.HUB_REQUIRE_TOKEN === 'true',
    ...(values.JWT_JWKS_URL ? { jwksUrl: values.JWT_JWKS_URL } : {}),
    ...(values.JWT_PUBLIC_KEY_FILE ? { jwtPublicKeyFile: resolve(values.JWT_PUBLIC_KEY_FILE) } : {}),
    tokenMaxTtlSeconds: values.TOKEN_MAX_TTL,
    ...(values.METRICS_PORT !== undefined ? { metricsPort: values.METRICS_PORT } : {}),
    // Loopback unless named: a listener without credentials is never exposed by following the gateway's bind address.
    metricsHost: values.METRICS_HOST ?? '127.0.0.1',
    subgraphTimeoutMs: values.SUBGRAPH_TIMEOUT_MS,
    shareSubgraphCallsInFlight: values.SUBGRAPH_SHARE_CALLS_IN_FLIGHT === 'true',
    /** Deadlines of one subgraph's calls, by variable name (`SUBGRAPH_TIMEOUT_MS_SCIENCE`…): see `subgraphTimeoutVariable`. */
    subgraphTimeouts,
    circuit: { failureThreshold: values.SUBGRAPH_CIRCUIT_FAILURES, coolDownMs: values.SUBGRAPH_CIRCUIT_COOL_DOWN_MS },
    debugErrors: values.HUB_DEBUG_ERRORS === 'true' && values.NODE_ENV !== 'production',
    auditDir: resolve(values.AUDIT_DIR ?? join(dataDir, 'audit')),
    /**
     * The folder of every chain (AUDIT_DIR): a worker writes its own chain inside it (`auditDir` is
     * then `worker-N`), while what reads the whole trail (the console's usage, impact, audit state) reads here.
     */
    auditTrailDir: resolve(values.AUDIT_DIR ?? join(dataDir, 'audit')),
    auditFailClosed: values.AUDIT_FAIL_CLOSED === 'true',
    auditWaitMs: values.AUDIT_WAIT_MS,
    ...(values.AUDIT_REDIS_URL ? { auditRedisUrl: values.AUDIT_REDIS_URL } : {}),
    auditInstance: values.AUDIT_INSTANCE,
    auditRedisAllowEverysec: values.AUDIT_REDIS_ALLOW_EVERYSEC === 'true',
    auditWitnessDir: resolve(values.AUDIT_WITNESS_DIR ?? join(dataDir, 'audit-witness')),
    ...(values.AUDIT_WITNESS_REDIS_URL ? { auditWitnessRedisUrl: values.AUDIT_WITNESS_REDIS_URL } : {}),
    auditCheckpointIntervalMs: values.AUDIT_CHECKPOINT_INTERVAL_MS,
    schemaRegistryDir: resolve(values.SCHEMA_REGISTRY_DIR ?? join(SCHEMA_DIR, 'registry')),
    ...(values.SCHEMA_REGISTRY_REDIS_URL ? { schemaRegistryRedisUrl: values.SCHEMA_REGISTRY_REDIS_URL } : {}),
    receipts: values.RECEIPTS === 'on',
    receiptKeysFile: resolve(values.RECEIPT_KEYS_FILE ?? join(dataDir, 'receipt-keys.json')),
    grantStoreDir: resolve(values.GRANT_STORE_DIR ?? join(dataDir, 'grants')),
    ...(values.GRANT_STORE_REDIS_URL ? { grantStoreRedisUrl: values.GRANT_STORE_REDIS_URL } : {}),
    /** The cache's backend: `redis` when REDIS_URL (or Sentinels) is set, `memory` otherwise, or `off`. */
    cache: (values.CACHE === 'off'
      ? 'off'
      : values.REDIS_URL || (values.REDIS_MODE === 'sentinel' && values.REDIS_SENTINELS)
        ? 'redis'
        : 'memory') as 'memory' | 'redis' | 'off',
    ...(values.REDIS_URL ? { redisUrl: values.REDIS_URL } : {}),
    redisMode: values.REDIS_MODE,
    ...(values.REDIS_SENTINELS
      ? {
          redisSentinels: values.REDIS_SENTINELS.split(',').map((node) => ({
            host: node.slice(0, node.lastIndexOf(':')),
            port: Number(node.slice(node.lastIndexOf(':') + 1)),
          })),
        }
      : {}),
    redisSentinelName: values.REDIS_SENTINEL_NAME,
    cacheMaxBytes: Math.round(values.CACHE_MAX_MB * 2 ** 20),
    cacheTimeoutMs: values.CACHE_TIMEOUT_MS,
    cacheRulesFile: resolve(values.CACHE_RULES_FILE ?? DEFAULT_CACHE_RULES_FILE),
    cacheLayers: values.CACHE_LAYERS,
    /** Bounds on each operation's shape (`limits/operationLimits.ts`), checked before validation. */
    limits: {
      maxDepth: values.LIMIT_DEPTH,
      maxAliases: values.LIMIT_ALIASES,
      maxRootFields: values.LIMIT_ROOT_FIELDS,
      maxFields: values.LIMIT_FIELDS,
      maxIntrospectionDepth: values.LIMIT_INTROSPECTION_DEPTH,
      maxListSize: values.LIMIT_LIST_SIZE,
    },
    /** Bounds on each HTTP request (`limits/requestLimits.ts`). */
    requestLimits: { maxBatch: values.LIMIT_BATCH, maxVariablesBytes: values.LIMIT_VARIABLES_BYTES },
    maxBodyBytes: values.LIMIT_BODY_BYTES,
    maxTokens: values.LIMIT_TOKENS,
    corsOrigins: values.CORS_ORIGINS,
    rateLimitPerMinute: values.RATE_LIMIT_PER_MINUTE,
    trustProxy: values.TRUST_PROXY,
    /** HTTPS on the gateway port (TLS_CERT_FILE and TLS_KEY_FILE, both or neither); mTLS with a clients' CA. */
    tls: serverTlsFiles(values),
    /** Extra CAs trusted for https:// subgraph URLs. */
    subgraphCaFile: values.SUBGRAPH_CA_FILE,
    persistedOperations: values.PERSISTED_OPERATIONS,
    persistedOperationsFile: resolve(values.PERSISTED_OPERATIONS_FILE ?? DEFAULT_OPERATIONS_FILE),
    apqTtlSeconds: values.APQ_TTL_SECONDS,
    exportMaxRows: values.EXPORT_MAX_ROWS,
    shutdownDelayMs: values.SHUTDOWN_DELAY_MS,
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS,
    playground: values.PLAYGROUND ? values.PLAYGROUND === 'on' : values.NODE_ENV !== 'production',
    calendarFile: resolve(values.HUB_CALENDAR_FILE ?? DEFAULT_CALENDAR_FILE),
  };
}

export type GatewayConfig = ReturnType<typeof assembleConfig>;

/** Reads the gateway's settings from the environment once, at start-up; a malformed one stops the start. */
export function loadGatewayConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<GatewayConfig> = {},
): GatewayConfig {
  const parsed = environment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`invalid gateway configuration: ${problems}`);
  }
  return { ...assembleConfig(parsed.data, env), ...overrides };
}
