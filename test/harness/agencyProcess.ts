import { findAgency, repoRoot, type AgencyInfo } from '@cdo-hub/subgraph-kit';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TEST_SECRETS } from './hubProcess';

const run = promisify(execFile);

/** Seeds the three agency databases (small) into `dataDir`, as `hub seed` does. */
export async function seedAgencyDatabases(dataDir: string): Promise<void> {
  await run(process.execPath, [join(repoRoot(), 'scripts', 'bin', 'hub.js'), 'seed', '--size', 'small'], { env: { ...process.env, HUB_DATA_DIR: dataDir } });
}

/**
 * One agency's subgraph as a process of its own (not under `hub start`, which stops the whole hub
 * when a subgraph exits), so a test can kill it, freeze it (SIGSTOP) and start it again on the
 * same port. It runs with an IPC channel: it says when it listens, and exits if the test dies.
 */
export class AgencyProcess {
  private output = '';
  private child!: ChildProcess;

  private constructor(
    readonly agency: AgencyInfo,
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async start(agencyId: string, port: number, dataDir: string): Promise<AgencyProcess> {
    const agency = findAgency(agencyId);
    const subgraph = new AgencyProcess(agency, port, { ...process.env, ...TEST_SECRETS, HUB_DATA_DIR: dataDir, HOST: '127.0.0.1', LOG_LEVEL: 'warn', [`${agency.envPrefix}_PORT`]: String(port) });
    await subgraph.launch();
    return subgraph;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/graphql`;
  }

  get log(): string {
    return this.output;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends a signal: SIGSTOP freezes the process (a hung subgraph: connections accepted, no answer), SIGCONT thaws it. */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGKILL, as a crash: no graceful close of its connections. Resolves once it has exited. */
  async kill(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }

  /** Starts the subgraph again on the same port and database. */
  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGCONT'); // a frozen process cannot handle SIGTERM
    this.child.kill('SIGTERM');
    await exited;
  }

  private async launch(): Promise<void> {
    const child = spawn(process.execPath, [join(repoRoot(), 'subgraphs', this.agency.id, 'dist', 'main.js')], { env: this.env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    this.child = child;
    for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.agency.id} did not listen within 30 s:\n${this.output}`)), 30_000);
      child.on('message', (message: { ready?: boolean }) => {
        if (!message?.ready) return;
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${this.agency.id} exited (${code ?? signal}) before listening:\n${this.output}`));
      });
    });
  }
}
