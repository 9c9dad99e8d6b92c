import { AGENCIES, AgencyDatabase, repoRoot } from '@cdo-hub/subgraph-kit';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgencyProcess, seedAgencyDatabases } from '../harness/agencyProcess';
import { freePort } from '../harness/freePort';
import { GatewayProcess } from '../harness/gatewayProcess';
import { as, type GraphQLResponse } from '../harness/hubProcess';
import { until } from '../harness/until';

// Errors from the agencies as Apollo clients expect them (docs/reference/downstream-errors.md).
// The science subgraph fails for real: its database loses the table a field reads (renamed away
// under the running process), so the resolver throws SQLite's own uncoded error. Through the
// gateway that is DOWNSTREAM_SERVICE_ERROR naming the agency, in a 200 beside the other agencies'
// data; in production its message, which names the table, is replaced. A catalogued code from an
// agency (INVALID_CURSOR) passes through unchanged, naming its agency too.

/** Districts (development reform) with their high-tech enterprise count (science). */
const DISTRICTS = 'query Districts { districts(first: 3) { nodes { code name highTechEnterpriseCount } } }';
const SCIENCE_TABLE = 'high_tech_enterprises';

let dir: string;
let subgraphs: Record<string, AgencyProcess>;
let gateways: { production: GatewayProcess; development: GatewayProcess };
let headers: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'downstream-errors-'));
  await seedAgencyDatabases(dir);
  subgraphs = {};
  for (const agency of AGENCIES) subgraphs[agency.id] = await AgencyProcess.start(agency.id, await freePort(), dir);
  const start = async (env: NodeJS.ProcessEnv) =>
    GatewayProcess.start(['--supergraph', join(repoRoot(), 'schema', 'supergraph.graphql')], await freePort(), {
      HUB_DATA_DIR: dir,
      CACHE: 'off', // every request reaches the subgraphs
      ...Object.fromEntries(AGENCIES.map((agency) => [`${agency.envPrefix}_URL`, subgraphs[agency.id]!.url])),
      ...env,
    });
  gateways = {
    production: await start({ NODE_ENV: 'production' }),
    development: await start({ NODE_ENV: 'development' }),
  };
  headers = await as('city-analytics', 'statistics');
}, 120_000);

afterAll(async () => {
  for (const gateway of Object.values(gateways ?? {})) await gateway.stop();
  for (const subgraph of Object.values(subgraphs ?? {})) await subgraph.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function ask(
  gateway: GatewayProcess,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResponse> {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as GraphQLResponse['body'],
  };
}

/** Runs `check` while the science database lacks the table its counts read, then puts it back. */
async function withScienceTableMissing(check: () => Promise<void>): Promise<void> {
  const science = new AgencyDatabase(join(dir, 'science.sqlite'));
  science.raw.exec(`ALTER TABLE ${SCIENCE_TABLE} RENAME TO ${SCIENCE_TABLE}_moved_away`);
  try {
    await check();
  } finally {
    science.raw.exec(`ALTER TABLE ${SCIENCE_TABLE}_moved_away RENAME TO ${SCIENCE_TABLE}`);
    science.close();
  }
}

describe('an agency failing with an error of no catalogued code', () => {
  it('answers in full while the agency is healthy', async () => {
    for (const gateway of Object.values(gateways)) {
      const healthy = await ask(gateway, DISTRICTS);
      expect(healthy.status).toBe(200);
      expect(healthy.body.errors).toBeUndefined();
      expect(
        healthy.body.data!.districts.nodes.every(
          (d: { highTechEnterpriseCount: unknown }) => typeof d.highTechEnterpriseCount === 'number',
        ),
      ).toBe(true);
    }
  });

  it("becomes DOWNSTREAM_SERVICE_ERROR naming science, beside the other agencies' data; production hides the message", async () => {
    await withScienceTableMissing(async () => {
      const production = await ask(gateways.production, DISTRICTS);
      const development = await ask(gateways.development, DISTRICTS);
      for (const answer of [production, development]) {
        expect(answer.status).toBe(200);
        const nodes = answer.body.data!.districts.nodes as {
          code: string;
          name: string;
          highTechEnterpriseCount: number | null;
        }[];
        expect(nodes).toHaveLength(3);
        expect(nodes.every((d) => typeof d.name === 'string' && d.highTechEnterpriseCount === null)).toBe(true);
        expect(answer.body.errors!.length).toBeGreaterThan(0);
        for (const error of answer.body.errors!) {
          expect(error.extensions).toMatchObject({
            code: 'DOWNSTREAM_SERVICE_ERROR',
            agency: 'science',
            requestId: expect.any(String),
          });
          expect(error.extensions).not.toHaveProperty('serviceName');
          expect(error.path?.[0]).toBe('districts');
        }
      }
      // Production: the agency's message (it names the table) and whatever it added stay out.
      expect(JSON.stringify(production.body.errors)).not.toContain(SCIENCE_TABLE);
      for (const error of production.body.errors!) {
        expect(error.message).toBe(
          "The science agency's subgraph failed here; quote the request id when reporting it.",
        );
        expect(Object.keys(error.extensions!).sort()).toEqual(['agency', 'code', 'requestId']);
      }
      // The request id the client quotes finds the failure, with its cause, in the agency's log.
      const requestId = production.body.errors![0]!.extensions!.requestId as string;
      await until(async () =>
        subgraphs
          .science!.log.split('\n')
          .some((line) => line.includes(requestId) && line.includes('resolver failed') && line.includes(SCIENCE_TABLE)),
      );
      // Development: the agency's own message and code, for whoever is fixing it.
      expect(development.body.errors!.some((error) => error.message.includes(`no such table: ${SCIENCE_TABLE}`))).toBe(
        true,
      );
      expect(
        development.body.errors!.every((error) => error.extensions?.originalCode === 'INTERNAL_SERVER_ERROR'),
      ).toBe(true);
    });
    // Only the failing agency asked: still a partial answer (200), its field null, not a 5xx.
    await withScienceTableMissing(async () => {
      const alone = await ask(
        gateways.production,
        'query Certificates { highTechEnterprises(first: 2) { nodes { certificateNumber } } }',
      );
      expect(alone.status).toBe(200);
      expect(alone.body.data).toEqual({ highTechEnterprises: null });
      expect(alone.body.errors).toEqual([
        expect.objectContaining({
          path: ['highTechEnterprises'],
          extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', agency: 'science', requestId: expect.any(String) },
        }),
      ]);
    });
    // The table back, the same question is answered in full again.
    const again = await ask(gateways.production, DISTRICTS);
    expect(again.body.errors).toBeUndefined();
  });
});

describe('an agency refusing with a catalogued code', () => {
  it('passes INVALID_CURSOR through, message and status included, naming education, in production too', async () => {
    for (const gateway of Object.values(gateways)) {
      const refused = await ask(
        gateway,
        'query Schools($after: String) { schools(first: 2, after: $after) { nodes { code } } }',
        { after: 'not-a-cursor-this-list-issued' },
      );
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(/cursor/i),
          extensions: expect.objectContaining({ code: 'INVALID_CURSOR', agency: 'education' }),
        }),
      ]);
      expect(refused.body.errors![0]!.extensions).not.toHaveProperty('requestId');
    }
  });
});
