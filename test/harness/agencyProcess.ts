import { findAgency, repoRoot, type AgencyInfo } from '@cdo-hub/subgraph-kit';
import { join } from 'node:path';
import { hubCliOk } from './hubCli';
import { TEST_SECRETS } from './hubProcess';
import { TestProcess } from './testProcess';

/** Seeds the three agency databases (small) into `dataDir`, as `hub seed` does. */
export async function seedAgencyDatabases(dataDir: string): Promise<void> {
  await hubCliOk(['seed', '--size', 'small'], { HUB_DATA_DIR: dataDir });
}

/**
 * One agency's subgraph as a process of its own (not under `hub start`, which stops the whole hub
 * when a subgraph exits), so a test can kill it, freeze it (SIGSTOP) and start it again on the
 * same port. It runs with an IPC channel: it says when it listens, and exits if the test dies.
 */
export class AgencyProcess {
  private constructor(
    readonly agency: AgencyInfo,
    readonly port: number,
    private readonly process: TestProcess,
    private readonly scheme: 'http' | 'https' = 'http',
  ) {}

  static async start(
    agencyId: string,
    port: number,
    dataDir: string,
    env: NodeJS.ProcessEnv = {},
  ): Promise<AgencyProcess> {
    const agency = findAgency(agencyId);
    const process = await TestProcess.start({
      name: agency.id,
      args: [join(repoRoot(), 'subgraphs', agency.id, 'dist', 'main.js')],
      env: {
        ...globalThis.process.env,
        ...TEST_SECRETS,
        HUB_DATA_DIR: dataDir,
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        [`${agency.envPrefix}_PORT`]: String(port),
        ...env,
      },
      ready: { ipc: true },
    });
    return new AgencyProcess(agency, port, process, env[`${agency.envPrefix}_TLS_CERT_FILE`] ? 'https' : 'http');
  }

  get url(): string {
    return `${this.scheme}://127.0.0.1:${this.port}/graphql`;
  }

  get log(): string {
    return this.process.log;
  }

  get running(): boolean {
    return this.process.running;
  }

  /** Sends a signal: SIGSTOP freezes the process (a hung subgraph: connections accepted, no answer), SIGCONT thaws it. */
  signal(signal: NodeJS.Signals): void {
    this.process.signal(signal);
  }

  /** SIGKILL, as a crash: no graceful close of its connections. Resolves once it has exited. */
  kill(): Promise<void> {
    return this.process.kill();
  }

  /** Starts the subgraph again on the same port and database. */
  restart(): Promise<void> {
    return this.process.restart();
  }

  async stop(): Promise<void> {
    await this.process.stop();
  }
}
