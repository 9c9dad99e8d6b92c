import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parsePreviousKeys, signingKeyring, type SigningKeyring } from '@cdo-hub/contracts';
import { z } from 'zod';

/**
 * The hub's secrets: the key that signs development tokens (HS256), the key that signs the
 * consumer header sent to subgraphs, and the key of the `hash` mask. In production they come
 * from the environment (or files named there); in development they are generated on first start
 * into a git-ignored file, `.hub/secrets.json`, so `npm start` needs no setup.
 */
export interface HubSecrets {
  jwtSecret: string;
  subgraphSigningKey: string;
  maskHashKey: string;
  /**
   * Keys the hub used before, during a rotation (docs/operations/key-rotation.md): tokens signed
   * under an earlier JWT secret verify until they expire (`HUB_JWT_SECRET_PREVIOUS`); checkpoints
   * of the audit trail signed under an earlier subgraph signing key still verify
   * (`HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS`). Nothing new is signed with them. The mask key has none:
   * a value must have one pseudonym.
   */
  previousJwtSecrets?: readonly string[];
  previousSubgraphSigningKeys?: readonly string[];
  /** Where they came from, for the start-up log (never the values). */
  origin: 'environment' | 'development-file';
}

export const DEFAULT_SECRETS_FILE = resolve(__dirname, '..', '..', '..', '.hub', 'secrets.json');

const fileSchema = z.object({
  jwtSecret: z.string().min(32),
  subgraphSigningKey: z.string().min(32),
  maskHashKey: z.string().min(32),
});

const VARIABLES = {
  jwtSecret: 'HUB_JWT_SECRET',
  subgraphSigningKey: 'HUB_SUBGRAPH_SIGNING_KEY',
  maskHashKey: 'HUB_MASK_HASH_KEY',
} as const;

/** The variables of the keys the hub used before, by the secret they precede. */
const PREVIOUS_VARIABLES = {
  previousJwtSecrets: 'HUB_JWT_SECRET_PREVIOUS',
  previousSubgraphSigningKeys: 'HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS',
} as const;

/**
 * The secrets' variables as the configuration reference lists them (`hub docs`): the hub's
 * secrets, then the keys it used before, which only a rotation sets.
 */
export const SECRET_VARIABLES: readonly { variable: string; default: string; meaning: string }[] = [
  {
    variable: `\`${Object.values(VARIABLES).join('`, `')}\` (or \`…_FILE\`)`,
    default: 'generated into `.hub/secrets.json` in development',
    meaning: "the hub's secrets, at least 32 characters each; required in production",
  },
  {
    variable: '`HUB_JWT_SECRET_PREVIOUS` (or `…_FILE`)',
    default: '—',
    meaning:
      'HS256 secrets the hub signed tokens with before `HUB_JWT_SECRET`, one per line: their tokens verify until they expire (at most `TOKEN_MAX_TTL`); nothing new is signed with them',
  },
  {
    variable: '`HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS` (or `…_FILE`)',
    default: '—',
    meaning:
      'for the gateway and `hub audit verify`: subgraph signing keys the hub used before the current one, one per line: audit checkpoints signed under them still verify (keep them as long as the trail must verify); nothing new is signed with them',
  },
];

function fromEnvironment(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const direct = env[name];
  if (direct) return direct;
  const file = env[`${name}_FILE`];
  return file ? readFileSync(file, 'utf8').trim() : undefined;
}

/** The keys the hub used before, from the environment only (a rotation is an operator's act); each as long as a secret. */
function previousKeys(env: NodeJS.ProcessEnv): Pick<HubSecrets, keyof typeof PREVIOUS_VARIABLES> {
  const found: Partial<Record<keyof typeof PREVIOUS_VARIABLES, string[]>> = {};
  for (const [key, name] of Object.entries(PREVIOUS_VARIABLES) as [keyof typeof PREVIOUS_VARIABLES, string][]) {
    const keys = parsePreviousKeys(fromEnvironment(env, name));
    if (keys.some((previous) => previous.length < 32))
      throw new Error(`every key in ${name} must be at least 32 characters, as the secret it preceded`);
    if (keys.length) found[key] = keys;
  }
  return found;
}

export function loadSecrets(options: { production: boolean; env?: NodeJS.ProcessEnv; file?: string }): HubSecrets {
  const env = options.env ?? process.env;
  const given = Object.fromEntries(
    Object.entries(VARIABLES).map(([key, name]) => [key, fromEnvironment(env, name)]),
  ) as Record<keyof typeof VARIABLES, string | undefined>;
  const previous = previousKeys(env);
  if (given.jwtSecret && given.subgraphSigningKey && given.maskHashKey) {
    for (const [key, value] of Object.entries(given)) {
      if (value!.length < 32)
        throw new Error(`${VARIABLES[key as keyof typeof VARIABLES]} must be at least 32 characters`);
    }
    return {
      jwtSecret: given.jwtSecret,
      subgraphSigningKey: given.subgraphSigningKey,
      maskHashKey: given.maskHashKey,
      ...previous,
      origin: 'environment',
    };
  }
  if (options.production) {
    const missing = Object.entries(VARIABLES)
      .filter(([key]) => !given[key as keyof typeof VARIABLES])
      .map(([, name]) => name);
    throw new Error(
      `in production the hub's secrets come from the environment: set ${missing.join(', ')} (or ${missing.map((n) => `${n}_FILE`).join(', ')})`,
    );
  }
  const file = options.file ?? env.HUB_SECRETS_FILE ?? DEFAULT_SECRETS_FILE;
  const stored = existsSync(file) ? fileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8'))) : undefined;
  if (stored?.success) return { ...stored.data, ...stripUndefined(given), ...previous, origin: 'development-file' };
  const generated = {
    jwtSecret: randomBytes(32).toString('base64url'),
    subgraphSigningKey: randomBytes(32).toString('base64url'),
    maskHashKey: randomBytes(32).toString('base64url'),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(generated, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return { ...generated, ...stripUndefined(given), ...previous, origin: 'development-file' };
}

function stripUndefined<T extends Record<string, string | undefined>>(values: T): Partial<Record<keyof T, string>> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<
    Record<keyof T, string>
  >;
}

/** The subgraph signing key with the keys it replaced: what checks the audit trail's checkpoints. */
export function subgraphSigningKeyring(secrets: HubSecrets): SigningKeyring {
  return signingKeyring(secrets.subgraphSigningKey, secrets.previousSubgraphSigningKeys ?? []);
}
