import { parsePreviousKeys, readSubjectKey } from '@cdo-hub/contracts';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AgencyInfo } from '../agencies';
import {
  DEFAULT_CURSOR_TTL_MS,
  MAX_CURSOR_TTL_MS,
  MIN_CURSOR_TTL_MS,
  parseCursorTtlMs,
} from '../pagination/cursorLifetime';
import { repoRoot } from '../paths/repoRoot';

type Environment = NodeJS.ProcessEnv;

/**
 * One environment variable a subgraph process reads: how it is read, and what the configuration
 * reference says of it. `read` throws on a value the subgraph cannot start with, naming the variable.
 */
export interface SubgraphSetting<Value = unknown> {
  /** The default as the reference shows it (`read` holds the value itself). */
  default: string;
  meaning: string;
  /** Also read from the file that `<NAME>_FILE` names (secrets mounted as files). */
  fromFile?: true;
  read(env: Environment): Value;
}

/** A family of variables, one per agency: `<PREFIX>_PORT` is `EDUCATION_PORT`, `SCIENCE_PORT`, … */
export interface AgencySetting<Value = unknown> {
  /** What follows the agency's prefix (`AgencyInfo.envPrefix`) and an underscore. */
  suffix: string;
  default(agency: AgencyInfo): string;
  meaning: string;
  read(agency: AgencyInfo, env: Environment): Value;
}

function setting<Value>(
  defaultText: string,
  meaning: string,
  read: (env: Environment) => Value,
  options: { fromFile?: true } = {},
): SubgraphSetting<Value> {
  return { default: defaultText, meaning, read, ...options };
}

/** `<NAME>`, or the contents of the file `<NAME>_FILE` names (trimmed); '' when neither is set. */
function valueOrFile(env: Environment, name: string): string {
  const file = env[`${name}_FILE`];
  return env[name] || (file ? readFileSync(file, 'utf8').trim() : '');
}

/**
 * Every fixed-name environment variable a subgraph process reads, declared once: the kit reads the
 * environment through these entries and `hub docs` writes the subgraphs' part of
 * docs/reference/configuration.md from this table (and from `AGENCY_SETTINGS`).
 */
export const SUBGRAPH_SETTINGS = {
  HOST: setting('`127.0.0.1`', 'the address each subgraph listens on', (env) => env.HOST ?? '127.0.0.1'),
  HUB_DATA_DIR: setting(
    '`.data/`',
    'folder of the agency databases (`<agency>.sqlite`) unless `<PREFIX>_DB` names the file',
    (env) => resolve(env.HUB_DATA_DIR ?? join(repoRoot(), '.data')),
  ),
  LOG_LEVEL: setting('`info` (`warn` under `hub start`)', 'pino log level', (env) => env.LOG_LEVEL ?? 'info'),
  NODE_ENV: setting(
    '—',
    '`production` hides unexpected error messages and refuses `HUB_CURSOR_SEALING=off`',
    (env): boolean => env.NODE_ENV === 'production',
  ),
  /**
   * The hub's key every call must be signed with (`hub start` passes it). Without one the subgraph
   * does not start: it would have to serve data unsigned.
   */
  HUB_SUBGRAPH_SIGNING_KEY: setting(
    'set by `hub start` (the hub secret of the same name)',
    'the key every call to a subgraph must be signed with; a subgraph does not start without it',
    (env) => {
      const key = valueOrFile(env, 'HUB_SUBGRAPH_SIGNING_KEY');
      if (!key)
        throw new Error(
          'HUB_SUBGRAPH_SIGNING_KEY (or HUB_SUBGRAPH_SIGNING_KEY_FILE) is not set: a subgraph serves only calls signed with the hub key (`npm start` passes it)',
        );
      return key;
    },
    { fromFile: true },
  ),
  /**
   * The keys the hub signed with before the current one. Calls signed under them are still
   * admitted (gateways not yet moved to the current key) and cursors sealed under them still open;
   * everything new is signed and sealed under the current key. Removed once every gateway signs
   * with the current key and `CURSOR_TTL` has passed (docs/operations/key-rotation.md).
   */
  HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS: setting(
    '—',
    'keys the hub signed with before the current one, one per line: calls signed and cursors sealed under them are still accepted during a rotation; remove them once every gateway signs with the current key and `CURSOR_TTL` has passed',
    (env): string[] => parsePreviousKeys(valueOrFile(env, 'HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS')),
    { fromFile: true },
  ),
  HUB_SIGNATURE_MAX_AGE_MS: setting(
    '`30000`',
    "how old a call's signature may be, 1000–300000",
    // Unset: undefined, and the signature check keeps its own default (30 s).
    (env): number | undefined => {
      if (!env.HUB_SIGNATURE_MAX_AGE_MS) return undefined;
      const ms = Number(env.HUB_SIGNATURE_MAX_AGE_MS);
      if (!Number.isInteger(ms) || ms < 1_000 || ms > 300_000)
        throw new Error(
          `HUB_SIGNATURE_MAX_AGE_MS must be a whole number of milliseconds from 1000 to 300000, not ${env.HUB_SIGNATURE_MAX_AGE_MS}`,
        );
      return ms;
    },
  ),
  CURSOR_TTL: setting(
    '`24h`',
    'how long a cursor opens after it was issued, `2h`–`30d` (it must outlive any cached page, kept at most 1 h)',
    (env): number => {
      const ttlMs = env.CURSOR_TTL ? parseCursorTtlMs(env.CURSOR_TTL) : DEFAULT_CURSOR_TTL_MS;
      if (ttlMs === undefined)
        throw new Error(`CURSOR_TTL must be a duration such as 24h, 90m or 7d, not ${env.CURSOR_TTL}`);
      if (ttlMs < MIN_CURSOR_TTL_MS || ttlMs > MAX_CURSOR_TTL_MS) {
        throw new Error(
          `CURSOR_TTL must lie between 2h and 30d, not ${env.CURSOR_TTL}: a cursor must outlive every cached page that carries it (the gateway caches for at most 1h)`,
        );
      }
      return ttlMs;
    },
  ),
  HUB_CURSOR_SEALING: setting(
    '`on`',
    '`off`: plain, readable cursors, for tests only (logged as a warning; refused with `NODE_ENV=production`)',
    (env): boolean => {
      const sealing = (env.HUB_CURSOR_SEALING ?? 'on').trim().toLowerCase();
      if (sealing !== 'on' && sealing !== 'off')
        throw new Error(`HUB_CURSOR_SEALING must be on or off, not ${env.HUB_CURSOR_SEALING}`);
      return sealing === 'on';
    },
  ),
  /**
   * Not the cache's `REDIS_URL`: that Redis may evict and may go away without harm, and a replay
   * check can afford neither.
   */
  HUB_NONCE_REDIS_URL: setting(
    '—',
    "keep the nonces of accepted calls in this Redis, shared by an agency's replicas (must not evict); without it each subgraph remembers its own",
    (env): string | undefined => env.HUB_NONCE_REDIS_URL || undefined,
  ),
  REDIS_URL: setting(
    '—',
    "publish the agency's change events on this Redis (the gateways' cache Redis; the first URL when several)",
    (env): string | undefined => (env.REDIS_URL ? env.REDIS_URL.split(',')[0] : undefined),
  ),
  HUB_GATEWAY_URL: setting(
    'set by `hub start`',
    'where a subgraph posts its change events (comma-separated for several gateways) when no `REDIS_URL` carries them',
    (env): string[] =>
      (env.HUB_GATEWAY_URL ?? '')
        .split(',')
        .map((url) => url.trim())
        .filter(Boolean),
  ),
} satisfies Record<string, SubgraphSetting>;

/** The variables each agency has one of, named after its prefix. */
export const AGENCY_SETTINGS = {
  PORT: {
    suffix: 'PORT',
    default: (agency) => `\`${agency.defaultPort}\``,
    meaning: 'where the subgraph listens',
    read: (agency, env): number => {
      const raw = env[`${agency.envPrefix}_PORT`];
      if (raw === undefined || raw === '') return agency.defaultPort;
      const port = Number(raw);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new Error(`${agency.envPrefix}_PORT must be a port number; got "${raw}"`);
      return port;
    },
  },
  URL: {
    suffix: 'URL',
    default: () =>
      "`http://127.0.0.1:<port>/graphql` (`https://` with `<NAME>_TLS_CERT_FILE`); for the gateway, the supergraph's URLs",
    meaning: 'where the gateway, `hub start` and `hub compose` call the subgraph (`<NAME>_URL` for any subgraph)',
    read: (agency, env): string =>
      env[`${agency.envPrefix}_URL`] ??
      `${env[`${agency.envPrefix}_TLS_CERT_FILE`] ? 'https' : 'http'}://127.0.0.1:${AGENCY_SETTINGS.PORT.read(agency, env)}/graphql`,
  },
  TLS_CERT_FILE: {
    suffix: 'TLS_CERT_FILE',
    default: () => '—',
    meaning:
      'serve the subgraph over HTTPS with this certificate chain (PEM; with `<NAME>_TLS_KEY_FILE`); the gateway then calls it at an `https://` `<NAME>_URL` and trusts its CA through `SUBGRAPH_CA_FILE`',
    read: (agency, env): string | undefined => env[`${agency.envPrefix}_TLS_CERT_FILE`] || undefined,
  },
  TLS_KEY_FILE: {
    suffix: 'TLS_KEY_FILE',
    default: () => '—',
    meaning: 'the private key of `<NAME>_TLS_CERT_FILE` (PEM)',
    read: (agency, env): string | undefined => env[`${agency.envPrefix}_TLS_KEY_FILE`] || undefined,
  },
  DB: {
    suffix: 'DB',
    default: () => '`<HUB_DATA_DIR>/<agency>.sqlite`',
    meaning: "the agency's database file",
    read: (agency, env): string =>
      resolve(env[`${agency.envPrefix}_DB`] ?? join(SUBGRAPH_SETTINGS.HUB_DATA_DIR.read(env), `${agency.id}.sqlite`)),
  },
  SUBJECT_KEY: {
    suffix: 'SUBJECT_KEY',
    default: () => 'a development key in the source (refused with `NODE_ENV=production`)',
    meaning:
      "the agency's key for the keyed digests (HMAC-SHA256) of the persons' ID numbers and organisations' USCCs whose records it returns, which the audit keeps (or `<NAME>_SUBJECT_KEY_FILE`); `hub audit subject` and the gateway's `/transparency` read it too; at least 32 characters",
    read: (agency, env): string => readSubjectKey(agency.id, env, SUBGRAPH_SETTINGS.NODE_ENV.read(env)),
  },
} satisfies Record<string, AgencySetting>;
