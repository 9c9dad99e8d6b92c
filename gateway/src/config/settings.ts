import { z } from 'zod';
import { DEFAULT_TOKEN_MAX_TTL_SECONDS } from './limitSettings';
import { parseDuration } from '../formats';
import { setting } from './setting';
import { TLS_SETTINGS } from './tlsSettings';

const port = z.coerce.number().int().min(0).max(65535);
const redisUrl = z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL');
const onOff = z.enum(['on', 'off']);
const trueFalse = z.enum(['true', 'false']);
const commaList = (value: string) =>
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);

export type { GatewaySetting } from './setting';

/**
 * Every environment variable the gateway reads, declared once: the loader parses the environment
 * with these schemas and `hub docs` writes docs/reference/configuration.md from this table.
 */
export const GATEWAY_SETTINGS = {
  GATEWAY_HOST: setting(z.string().min(1).default('localhost'), '`localhost`', 'the address the gateway listens on'),
  GATEWAY_PORT: setting(port.default(4000), '`4000`', 'the port the gateway listens on'),
  GATEWAY_WORKERS: setting(
    z.coerce.number().int().min(1).max(256).optional(),
    '`1` (`NODE_ENV=production`: the cores available)',
    "gateway processes serving the one port (a primary forks and restarts them); the operators' guide says what they share",
  ),
  GATEWAY_HEAP_GROWTH_PERCENT: setting(
    z.coerce.number().int().min(0).max(1000).default(100),
    '`100`',
    "how far V8 lets the gateway's heap grow past what the last full collection kept, in percent, before collecting again (`0`: V8's own choice, which let a gateway with a 55 MB live heap reach 320 MB)",
  ),
  SUPERGRAPH_FILE: setting(
    z.string().min(1).optional(),
    '`schema/supergraph.graphql`',
    'the supergraph the gateway serves until the schema registry has one; set, it pins this file (the registry is not followed)',
  ),
  HUB_DATA_DIR: setting(
    z.string().min(1).optional(),
    '`.data/`',
    'folder of the agency databases, and of the audit trail, its witness and the grant store unless their own variables say otherwise',
  ),
  LOG_LEVEL: setting(
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    '`info` (`warn` under `hub start`)',
    'pino log level',
  ),
  NODE_ENV: setting(
    z.string().optional(),
    '—',
    '`production` hides unexpected error messages (the request id stays) and requires the secrets from the environment',
  ),
  READINESS_TIMEOUT_MS: setting(
    z.coerce.number().int().positive().default(1000),
    '`1000`',
    "how long `/readyz` waits for each subgraph's probe",
  ),
  POLICY_DIR: setting(
    z.string().min(1).optional(),
    '`schema/policies/`',
    'the sharing policies, one `<agency>.yaml` per agency',
  ),
  CONSUMERS_FILE: setting(z.string().min(1).optional(), '`schema/consumers.yaml`', 'the consumer directory'),
  CATALOG_DIR: setting(
    z.string().min(1).optional(),
    '`schema/catalog/`',
    'the catalog metadata, one `<agency>.yaml` per agency: Chinese names, data stewards, update frequencies, source systems (`/catalog`)',
  ),
  HUB_ON_DENIED: setting(
    z.enum(['null', 'reject']).default('null'),
    '`null`',
    '`null`: withheld fields come back null with errors; `reject`: refuse the operation',
  ),
  HUB_REQUIRE_TOKEN: setting(
    trueFalse.default('false'),
    '`false`',
    '`true`: refuse requests without a token (401) instead of treating them as the public',
  ),
  JWT_JWKS_URL: setting(
    z.url().optional(),
    '—',
    'verify RS256 tokens against this JWKS URL instead of the HS256 secret',
  ),
  JWT_PUBLIC_KEY_FILE: setting(
    z.string().min(1).optional(),
    '—',
    'verify RS256 tokens against this PEM public key instead of the HS256 secret',
  ),
  TOKEN_MAX_TTL: setting(
    z
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
    '`24h`',
    'the longest a token may live (`exp − iat`, and `exp − now`), whoever issued it; longer ones get `TOKEN_LIFETIME_TOO_LONG`',
  ),
  METRICS_PORT: setting(
    port.optional(),
    '—',
    'serve `/metrics` and the detailed `/readyz` on this port without credentials (isolate it by network); the gateway port then serves no `/metrics`',
  ),
  METRICS_HOST: setting(
    z.string().min(1).optional(),
    '`127.0.0.1`',
    "the address of the `METRICS_PORT` listener: loopback unless named, so a listener without credentials is never exposed by following the gateway's bind address",
  ),
  SUBGRAPH_TIMEOUT_MS: setting(
    z.coerce.number().int().positive().default(10_000),
    '`10000`',
    'deadline of each subgraph call (`SUBGRAPH_TIMEOUT_MS_<NAME>` for one subgraph)',
  ),
  SUBGRAPH_SHARE_CALLS_IN_FLIGHT: setting(
    trueFalse.default('true'),
    '`true`',
    'identical subgraph calls in flight at the same moment (same query, variables, consumer, purpose and row scope) are sent once and their answer copied to each request; nothing outlives the call (not a cache); `false` sends every call',
  ),
  SUBGRAPH_CIRCUIT_FAILURES: setting(
    z.coerce.number().int().positive().default(5),
    '`5`',
    "failed calls in a row that open a subgraph's circuit",
  ),
  SUBGRAPH_CIRCUIT_COOL_DOWN_MS: setting(
    z.coerce.number().int().positive().default(10_000),
    '`10000`',
    'how long an open circuit stays open before a trial call',
  ),
  HUB_DEBUG_ERRORS: setting(
    trueFalse.default('false'),
    '`false`',
    '`true`: stack traces with unexpected errors (never in production)',
  ),
  AUDIT_DIR: setting(z.string().min(1).optional(), '`<HUB_DATA_DIR>/audit`', 'folder of the JSONL audit trail'),
  AUDIT_FAIL_CLOSED: setting(
    trueFalse.default('true'),
    '`true`',
    'refuse agency data when its audit record cannot be written in time (`false`: serve it and log)',
  ),
  AUDIT_WAIT_MS: setting(
    z.coerce.number().int().positive().default(1000),
    '`1000`',
    'how long a response waits for its audit record to be durable',
  ),
  RECEIPTS: setting(
    onOff.default('on'),
    '`on`',
    '`on`: every answer with an audit record carries a signed receipt (`x-hub-receipt`, docs/guides/receipts.md); `off` only to measure what receipts cost',
  ),
  RECEIPT_KEYS_FILE: setting(
    z.string().min(1).optional(),
    '`<HUB_DATA_DIR>/receipt-keys.json`',
    'the Ed25519 keys receipts are signed with (made on first start when absent; `hub receipt rotate-key` adds one); every gateway process and replica must read the same file',
  ),
  GRANT_STORE_DIR: setting(
    z.string().min(1).optional(),
    '`<HUB_DATA_DIR>/grants`',
    'folder of the grant store (requests, grants, workflow events)',
  ),
  SCHEMA_REGISTRY_DIR: setting(
    z.string().min(1).optional(),
    '`schema/registry`',
    'folder of the schema registry (git-ignored); gateways serve and follow its supergraph once it has one',
  ),
  SCHEMA_REGISTRY_REDIS_URL: setting(
    redisUrl.optional(),
    '—',
    'keep the schema registry on this Redis instead (must not evict, must persist every write)',
  ),
  AUDIT_REDIS_URL: setting(
    redisUrl.optional(),
    '—',
    "write the audit trail to a Redis Stream on this Redis (its own, never the cache's)",
  ),
  AUDIT_INSTANCE: setting(
    z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash, underscore')
      .default('gateway'),
    '`gateway`',
    "this gateway's instance name in a shared audit Redis: each gateway writes its own stream",
  ),
  AUDIT_REDIS_ALLOW_EVERYSEC: setting(
    trueFalse.default('false'),
    '`false`',
    'accept an audit, audit witness or grant Redis with `appendfsync everysec`',
  ),
  AUDIT_WITNESS_DIR: setting(
    z.string().min(1).optional(),
    '`<HUB_DATA_DIR>/audit-witness`',
    'folder of the audit witness: a copy of every checkpoint, by trail id, outside `AUDIT_DIR` (refused inside it)',
  ),
  AUDIT_WITNESS_REDIS_URL: setting(
    redisUrl.optional(),
    '—',
    'keep the audit witness on this Redis instead (its own: not the audit Redis; must not evict, must persist every write)',
  ),
  AUDIT_CHECKPOINT_INTERVAL_MS: setting(
    z.coerce.number().int().min(100).max(3_600_000).default(10_000),
    '`10000`',
    'how long after the first record not yet covered a checkpoint is written (and witnessed): the most recent records a cut can take unseen; 100–3600000',
  ),
  HUB_CALENDAR_FILE: setting(
    z.string().min(1).optional(),
    '`schema/calendar/holidays.yaml`',
    'public holidays and make-up workdays for the 10-working-day deadline',
  ),
  REDIS_URL: setting(
    z
      .string()
      .regex(/^rediss?:\/\/[^,]+(,rediss?:\/\/[^,]+)*$/, 'a redis:// or rediss:// URL (comma-separated for a Cluster)')
      .optional(),
    '—',
    "keep the caches (and rate-limit counts, APQ registrations) on this Redis, shared by gateways, instead of in memory; with `REDIS_MODE=cluster`, the nodes' URLs, comma-separated. Subgraphs publish their change events on it (the first URL); the nonces of signed calls never go there (`HUB_NONCE_REDIS_URL`)",
  ),
  REDIS_MODE: setting(
    z.enum(['single', 'cluster', 'sentinel']).default('single'),
    '`single`',
    '`cluster` or `sentinel` (with `REDIS_SENTINELS` and `REDIS_SENTINEL_NAME`)',
  ),
  REDIS_SENTINELS: setting(
    z
      .string()
      .regex(/^[^:,\s]+:\d+(,[^:,\s]+:\d+)*$/, 'host:port,host:port')
      .optional(),
    '—',
    'with `REDIS_MODE=sentinel`: the Sentinels, `host:port,…`',
  ),
  REDIS_SENTINEL_NAME: setting(
    z.string().min(1).default('mymaster'),
    '`mymaster`',
    "with `REDIS_MODE=sentinel`: the monitored master's name",
  ),
  CACHE: setting(onOff.default('on'), '`on`', '`off` disables every cache layer'),
  CACHE_MAX_MB: setting(z.coerce.number().positive().default(64), '`64`', 'size of the in-memory cache, in MB'),
  CACHE_TIMEOUT_MS: setting(
    z.coerce.number().int().positive().default(100),
    '`100`',
    'how long a Redis cache command may take before the gateway answers without the cache',
  ),
  CACHE_RULES_FILE: setting(
    z.string().min(1).optional(),
    '`schema/cache.yaml`',
    'TTL per type (at most 1 h, so the cursors of a cached page still open), caps per sharing class and level',
  ),
  PLAYGROUND: setting(
    onOff.optional(),
    '`on` (`off` with `NODE_ENV=production`)',
    'serve GraphiQL at `/playground`, and development tokens for registered consumers when tokens use the development secret',
  ),
  LIMIT_DEPTH: setting(
    z.coerce.number().int().positive().default(15),
    '`15`',
    'nesting of fields (`OPERATION_TOO_DEEP`), checked before validation',
  ),
  LIMIT_ALIASES: setting(
    z.coerce.number().int().nonnegative().default(30),
    '`30`',
    'aliases in an operation (`TOO_MANY_ALIASES`)',
  ),
  LIMIT_ROOT_FIELDS: setting(
    z.coerce.number().int().positive().default(20),
    '`20`',
    'root fields in an operation (`TOO_MANY_ROOT_FIELDS`)',
  ),
  LIMIT_FIELDS: setting(
    z.coerce.number().int().positive().default(2000),
    '`2000`',
    'fields in an operation, fragments counted at every use, introspection left out (`TOO_MANY_FIELDS`)',
  ),
  LIMIT_INTROSPECTION_DEPTH: setting(
    z.coerce.number().int().positive().default(15),
    '`15`',
    'nesting below `__schema`/`__type` (`INTROSPECTION_TOO_DEEP`)',
  ),
  LIMIT_LIST_SIZE: setting(
    z.coerce.number().int().positive().default(100),
    '`100`',
    'the largest `first`/`last` (`LIST_TOO_LONG`)',
  ),
  EXPORT_MAX_ROWS: setting(
    z.coerce.number().int().positive().default(10_000),
    '`10000`',
    'the most rows one CSV export streams (`Accept: text/csv`, paged by the gateway); the `x-hub-export` trailer says `truncated` when reached',
  ),
  LIMIT_BATCH: setting(
    z.coerce.number().int().positive().default(10),
    '`10`',
    'operations in one batched request (`BATCH_TOO_LARGE`)',
  ),
  LIMIT_VARIABLES_BYTES: setting(
    z.coerce
      .number()
      .int()
      .positive()
      .default(64 * 1024),
    '`65536`',
    "size of one operation's variables as JSON (`VARIABLES_TOO_LARGE`)",
  ),
  LIMIT_BODY_BYTES: setting(
    z.coerce
      .number()
      .int()
      .positive()
      .default(512 * 1024),
    '`524288`',
    'request body size (`PAYLOAD_TOO_LARGE`)',
  ),
  LIMIT_TOKENS: setting(
    z.coerce.number().int().positive().default(50_000),
    '`50000`',
    'lexical tokens per document (`GRAPHQL_PARSE_FAILED`)',
  ),
  ...TLS_SETTINGS,
  TRUST_PROXY: setting(
    z.string().default('').transform(commaList),
    '—',
    "addresses (or CIDR ranges) of proxies in front of the gateway whose `X-Forwarded-For` gives the client's address",
  ),
  PERSISTED_OPERATIONS: setting(
    z.enum(['apq', 'off', 'only']).default('apq'),
    '`apq`',
    "`apq`: Automatic Persisted Queries, registered per consumer; `off`: texts only; `only`: serve the allow-list's operations alone (global: the operator's list)",
  ),
  PERSISTED_OPERATIONS_FILE: setting(
    z.string().min(1).optional(),
    '`schema/operations/manifest.json`',
    'the allow-list read with `PERSISTED_OPERATIONS=only`',
  ),
  APQ_TTL_SECONDS: setting(
    z.coerce.number().int().positive().default(86_400),
    '`86400`',
    "how long an Automatic Persisted Query registration lasts (in the cache store: memory, or the cache's Redis shared by every gateway)",
  ),
  SHUTDOWN_DELAY_MS: setting(
    z.coerce.number().int().nonnegative().default(0),
    '`0`',
    'on SIGTERM: how long to keep serving once `/readyz` fails',
  ),
  SHUTDOWN_TIMEOUT_MS: setting(
    z.coerce.number().int().positive().default(30_000),
    '`30000`',
    'on SIGTERM: how long the whole drain may take before the process exits 1',
  ),
  RATE_LIMIT_PER_MINUTE: setting(
    z.coerce.number().int().nonnegative().default(1200),
    '`1200`',
    "requests per consumer per minute (sliding window; the public per address); a consumer's `rateLimitPerMinute` in the consumer directory overrides it; `0`: no limit",
  ),
  CORS_ORIGINS: setting(
    z
      .string()
      .default('')
      .transform(commaList)
      .pipe(z.array(z.union([z.literal('*'), z.url({ protocol: /^https?$/ })]))),
    '— (no cross-origin calls)',
    'origins whose browser apps may call the gateway, comma-separated (`*` for any)',
  ),
  CACHE_LAYERS: setting(
    z
      .string()
      .default('response,entity,root')
      .transform((value, ctx) => {
        const layers = commaList(value);
        const unknown = layers.filter((layer) => !['response', 'entity', 'root'].includes(layer));
        if (unknown.length) {
          ctx.addIssue({
            code: 'custom',
            message: `unknown cache layer(s) ${unknown.join(', ')}: use response, entity, root`,
          });
          return z.NEVER;
        }
        return new Set(layers as ('response' | 'entity' | 'root')[]);
      }),
    '`response,entity,root`',
    'which cache layers run: whole responses, entity fetches, root-field fetches',
  ),
  GRANT_STORE_REDIS_URL: setting(
    redisUrl.optional(),
    '—',
    'keep the grant store on this Redis instead (must not evict, must persist every write)',
  ),
};
