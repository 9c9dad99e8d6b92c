import { AGENCIES, repoRoot } from '@cdo-hub/subgraph-kit';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgencyProcess, seedAgencyDatabases } from './agencyProcess';
import { freePort } from './freePort';
import { GatewayProcess } from './gatewayProcess';
import { startOnFreePorts } from './testProcess';

/**
 * The hub as separate processes: each agency subgraph on its own (so a test can kill, freeze and
 * restart one) and `hub gateway` in front of them on the committed supergraph, with databases
 * seeded in a temporary folder. `gatewayEnv` configures the gateway.
 */
export class SplitHub {
  private constructor(
    readonly dataDir: string,
    readonly subgraphs: Record<string, AgencyProcess>,
    readonly gateway: GatewayProcess,
  ) {}

  static async start(gatewayEnv: NodeJS.ProcessEnv = {}): Promise<SplitHub> {
    const dataDir = mkdtempSync(join(tmpdir(), 'cdo-hub-split-'));
    await seedAgencyDatabases(dataDir);
    const subgraphs: Record<string, AgencyProcess> = {};
    try {
      for (const agency of AGENCIES)
        subgraphs[agency.id] = await startOnFreePorts(async () =>
          AgencyProcess.start(agency.id, await freePort(), dataDir),
        );
      const gateway = await startOnFreePorts(async () =>
        GatewayProcess.start(['--supergraph', join(repoRoot(), 'schema', 'supergraph.graphql')], await freePort(), {
          HUB_DATA_DIR: dataDir,
          ...Object.fromEntries(AGENCIES.map((agency) => [`${agency.envPrefix}_URL`, subgraphs[agency.id]!.url])),
          ...gatewayEnv,
        }),
      );
      return new SplitHub(dataDir, subgraphs, gateway);
    } catch (error) {
      // A hub that did not come up leaves no subgraph running behind the failed test.
      for (const subgraph of Object.values(subgraphs)) await subgraph.stop();
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Stops the gateway, then every subgraph (thawing a frozen one), and removes the data. */
  async stop(): Promise<void> {
    await this.gateway.stop();
    for (const subgraph of Object.values(this.subgraphs)) await subgraph.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
