import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
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

function fromEnvironment(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const direct = env[name];
  if (direct) return direct;
  const file = env[`${name}_FILE`];
  return file ? readFileSync(file, 'utf8').trim() : undefined;
}

export function loadSecrets(options: { production: boolean; env?: NodeJS.ProcessEnv; file?: string }): HubSecrets {
  const env = options.env ?? process.env;
  const given = Object.fromEntries(
    Object.entries(VARIABLES).map(([key, name]) => [key, fromEnvironment(env, name)]),
  ) as Record<keyof typeof VARIABLES, string | undefined>;
  if (given.jwtSecret && given.subgraphSigningKey && given.maskHashKey) {
    for (const [key, value] of Object.entries(given)) {
      if (value!.length < 32)
        throw new Error(`${VARIABLES[key as keyof typeof VARIABLES]} must be at least 32 characters`);
    }
    return {
      jwtSecret: given.jwtSecret,
      subgraphSigningKey: given.subgraphSigningKey,
      maskHashKey: given.maskHashKey,
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
  if (stored?.success) return { ...stored.data, ...stripUndefined(given), origin: 'development-file' };
  const generated = {
    jwtSecret: randomBytes(32).toString('base64url'),
    subgraphSigningKey: randomBytes(32).toString('base64url'),
    maskHashKey: randomBytes(32).toString('base64url'),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(generated, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return { ...generated, ...stripUndefined(given), origin: 'development-file' };
}

function stripUndefined<T extends Record<string, string | undefined>>(values: T): Partial<Record<keyof T, string>> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<
    Record<keyof T, string>
  >;
}
