import { signedSubgraphHeaders, type ConsumerClaims } from '@cdo-hub/contracts';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgencyDatabase, seedDatabase, type SeedPlan } from '../database';
import { createSubgraphApp, type SubgraphDefinition, type SubgraphServerOptions } from '../server';

export interface GraphQLResult<Data = Record<string, any>> {
  data?: Data | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

/** The key in-process subgraphs run with: `query` signs every request with it, as the gateway does. */
export const HARNESS_SIGNING_KEY = 'subgraph-harness-signing-key-0123456789abcdef';

/**
 * An agency subgraph in process over a freshly seeded real SQLite database, for per-package
 * integration tests. `query` goes through Fastify and Apollo Server exactly as HTTP would.
 */
export class SubgraphHarness {
  private constructor(
    readonly app: FastifyInstance,
    readonly db: AgencyDatabase,
    private readonly dir: string,
    /** The agency the harness's calls are signed for. */
    private readonly audience: string,
  ) {}

  /**
   * `options.beforeOpen` may change the seeded file before the subgraph opens it (to stand for a
   * database an older seed built); `options.cursors` replaces the default sealed cursors.
   */
  static async start(
    definition: SubgraphDefinition,
    plan: SeedPlan,
    options: { beforeOpen?: (file: string) => void; cursors?: SubgraphServerOptions['cursors'] } = {},
  ): Promise<SubgraphHarness> {
    const dir = mkdtempSync(join(tmpdir(), `cdo-hub-${plan.agency}-`));
    const file = join(dir, `${plan.agency}.sqlite`);
    seedDatabase(file, plan);
    options.beforeOpen?.(file);
    const db = new AgencyDatabase(file);
    const app = await createSubgraphApp({
      definition,
      db,
      logger: undefined,
      maskUnexpectedErrors: false,
      signingKey: HARNESS_SIGNING_KEY,
      ...(options.cursors ? { cursors: options.cursors } : {}),
    });
    return new SubgraphHarness(app, db, dir, definition.name);
  }

  /** Sends a signed call, for `consumer` when given (as the gateway would for a consumer's request). */
  async query<Data = Record<string, any>>(
    query: string,
    variables: Record<string, unknown> = {},
    consumer?: ConsumerClaims,
  ): Promise<GraphQLResult<Data>> {
    const response = await this.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: {
        'content-type': 'application/json',
        'apollo-require-preflight': 'true',
        ...signedSubgraphHeaders(HARNESS_SIGNING_KEY, this.audience, { query, variables }, consumer),
      },
      payload: JSON.stringify({ query, variables }),
    });
    return response.json() as GraphQLResult<Data>;
  }

  /** Runs the query and returns how many SQL statements it executed. */
  async countStatements(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<{ result: GraphQLResult; statements: number }> {
    const before = this.db.statementCount;
    const result = await this.query(query, variables);
    return { result, statements: this.db.statementCount - before };
  }

  async stop(): Promise<void> {
    await this.app.close();
    this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
