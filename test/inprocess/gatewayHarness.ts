import {
  createGatewayServer,
  loadGatewayConfig,
  signDevelopmentToken,
  subgraphUrlVariable,
  type GatewayServer,
} from '@cdo-hub/gateway';
import { developmentReformSeedPlan, developmentReformSubgraph } from '@cdo-hub/development-reform';
import { educationSeedPlan, educationSubgraph } from '@cdo-hub/education';
import { scienceSeedPlan, scienceSubgraph } from '@cdo-hub/science';
import { HARNESS_SIGNING_KEY, SubgraphHarness } from '@cdo-hub/subgraph-kit/testing';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';

/**
 * The gateway in this process, answering through Fastify's `inject` (no port, no child process),
 * in front of the three agencies served in process by the kit's subgraph harness over freshly
 * seeded SQLite databases. The subgraphs listen on loopback ports because the query planner's
 * data sources call them over HTTP, as they call real agencies.
 *
 * For what needs no process of its own: each request-path plugin of `gateway/src/http`. What
 * does (signals, restarts, crashes, several gateways) stays in `test/e2e`.
 */
export interface InProcessHub {
  server: GatewayServer;
  /** The agencies, by subgraph name. */
  agencies: Record<string, SubgraphHarness>;
  /** HUB_DATA_DIR of the gateway (its audit trail is under `audit/`). */
  dataDir: string;
  /** Every line the gateway logged, parsed, in order. */
  logs: Record<string, unknown>[];
  /** A raw request to the gateway. */
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** A GraphQL POST to `/graphql`; `headers` as from `as()`. */
  query<Data = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLAnswer<Data>>;
  /** Request headers of a consumer stating a purpose, with a development token. */
  as(consumer: string, purpose?: string, roles?: string[]): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

export interface GraphQLAnswer<Data = Record<string, any>> {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: {
    data?: Data | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  };
}

/** The in-process hub's secrets: the subgraphs accept calls signed with the kit harness's key. */
export const IN_PROCESS_SECRETS = {
  jwtSecret: 'in-process-jwt-secret-0123456789abcdefghij',
  subgraphSigningKey: HARNESS_SIGNING_KEY,
  maskHashKey: 'in-process-mask-hash-key-0123456789abcdefg',
  origin: 'environment' as const,
};

export interface InProcessHubOptions {
  /** Gateway settings as environment variables (`PERSISTED_OPERATIONS`, `RATE_LIMIT_PER_MINUTE` …). */
  env?: Record<string, string>;
  /** Leave the agencies out (for refusals made before any subgraph is called): starts faster. */
  withoutAgencies?: boolean;
}

/** Starts the agencies (unless left out) and a gateway in front of them, not listening. */
export async function startInProcessHub(options: InProcessHubOptions = {}): Promise<InProcessHub> {
  const agencies: Record<string, SubgraphHarness> = {};
  const urls: Record<string, string> = {};
  const dataDir = mkdtempSync(join(tmpdir(), 'cdo-hub-inprocess-'));
  const logs: Record<string, unknown>[] = [];
  try {
    if (!options.withoutAgencies) {
      const started = await Promise.all([
        SubgraphHarness.start(educationSubgraph(), educationSeedPlan('small')),
        SubgraphHarness.start(developmentReformSubgraph(), developmentReformSeedPlan('small')),
        SubgraphHarness.start(scienceSubgraph(), scienceSeedPlan('small')),
      ]);
      for (const [name, harness] of [
        ['education', started[0]],
        ['development-reform', started[1]],
        ['science', started[2]],
      ] as const) {
        agencies[name] = harness;
        urls[subgraphUrlVariable(name)] = `${await harness.app.listen({ host: '127.0.0.1', port: 0 })}/graphql`;
      }
    }
    const config = loadGatewayConfig(
      {
        HUB_DATA_DIR: dataDir,
        SCHEMA_REGISTRY_DIR: join(dataDir, 'registry'),
        GATEWAY_HOST: '127.0.0.1',
        RATE_LIMIT_PER_MINUTE: '1000000',
        PLAYGROUND: 'off',
        LOG_LEVEL: 'info',
        ...urls,
        ...options.env,
      },
      { port: 0 },
    );
    const logger = pino(
      { level: config.logLevel },
      { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const server = await createGatewayServer({ config, secrets: IN_PROCESS_SECRETS, logger });
    const hub: InProcessHub = {
      server,
      agencies,
      dataDir,
      logs,
      inject: (request) => server.app.inject(request),
      async query(query, variables = {}, headers = {}) {
        const response = await server.app.inject({
          method: 'POST',
          url: '/graphql',
          headers: { 'content-type': 'application/json', ...headers },
          payload: JSON.stringify({ query, variables }),
        });
        return { status: response.statusCode, headers: response.headers, body: response.json() };
      },
      async as(consumer, purpose, roles) {
        const token = await signDevelopmentToken(IN_PROCESS_SECRETS.jwtSecret, {
          consumer,
          ttlSeconds: 600,
          ...(purpose ? { purpose } : {}),
          ...(roles ? { roles } : {}),
        });
        return { authorization: `Bearer ${token}`, ...(purpose ? { 'x-data-purpose': purpose } : {}) };
      },
      async stop() {
        await server.close();
        await stopAgencies(agencies);
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
    return hub;
  } catch (error) {
    await stopAgencies(agencies);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

async function stopAgencies(agencies: Record<string, SubgraphHarness>): Promise<void> {
  await Promise.all(Object.values(agencies).map((agency) => agency.stop()));
}
