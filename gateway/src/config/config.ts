import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * The gateway's settings, read from the environment once at start-up. Every port, URL and path
 * has a default that runs the hub on one machine; each can be overridden.
 */
export interface GatewayConfig {
  host: string;
  port: number;
  supergraphFile: string;
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
}

/** The committed development supergraph, `schema/supergraph.graphql` at the repository root. */
export const SCHEMA_DIR = resolve(__dirname, '..', '..', '..', 'schema');
export const DEFAULT_SUPERGRAPH_FILE = resolve(SCHEMA_DIR, 'supergraph.graphql');
export const DEFAULT_POLICY_DIR = resolve(SCHEMA_DIR, 'policies');
export const DEFAULT_CONSUMERS_FILE = resolve(SCHEMA_DIR, 'consumers.yaml');

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
});

/** The environment variable that overrides a subgraph's URL: `development-reform` → `DEVELOPMENT_REFORM_URL`. */
export function subgraphUrlVariable(subgraphName: string): string {
  return `${subgraphName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  const parsed = environment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`invalid gateway configuration: ${problems}`);
  }
  const values = parsed.data;
  const subgraphUrls: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (name.endsWith('_URL') && value) subgraphUrls[name] = value;
  }
  return {
    host: values.GATEWAY_HOST,
    port: values.GATEWAY_PORT,
    supergraphFile: resolve(values.SUPERGRAPH_FILE ?? DEFAULT_SUPERGRAPH_FILE),
    production: values.NODE_ENV === 'production',
    logLevel: values.LOG_LEVEL,
    subgraphUrls,
    readinessTimeoutMs: values.READINESS_TIMEOUT_MS,
    policyDir: resolve(values.POLICY_DIR ?? DEFAULT_POLICY_DIR),
    consumersFile: resolve(values.CONSUMERS_FILE ?? DEFAULT_CONSUMERS_FILE),
    ...overrides,
  };
}
