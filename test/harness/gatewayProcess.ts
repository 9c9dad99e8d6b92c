import { repoRoot } from '@cdo-hub/subgraph-kit';
import { TEST_GATEWAY_SETTINGS, TEST_SECRETS } from './hubProcess';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `hub gateway` alone, as an operator starts it against any supergraph file. */
export class GatewayProcess {
  private output = '';

  private constructor(readonly child: ChildProcess, readonly url: string) {
    for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  static async start(args: string[], port: number, env: NodeJS.ProcessEnv): Promise<GatewayProcess> {
    const child = spawn(process.execPath, [join(repoRoot(), 'scripts', 'bin', 'hub.js'), 'gateway', ...args, '--port', String(port)], {
      // A registry of its own unless one is named: a developer's schema/registry must not leak into tests.
      env: { ...process.env, ...TEST_SECRETS, ...TEST_GATEWAY_SETTINGS, GATEWAY_HOST: '127.0.0.1', LOG_LEVEL: 'warn', SCHEMA_REGISTRY_DIR: mkdtempSync(join(tmpdir(), 'cdo-hub-registry-')), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const gateway = new GatewayProcess(child, `http://127.0.0.1:${port}/graphql`);
    const deadline = Date.now() + 30_000;
    while (!gateway.output.includes('gateway ready')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`hub gateway did not start:\n${gateway.output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return gateway;
  }

  get log(): string {
    return this.output;
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    return exited;
  }
}
