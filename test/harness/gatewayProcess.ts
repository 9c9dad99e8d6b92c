import { repoRoot } from '@cdo-hub/subgraph-kit';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_GATEWAY_SETTINGS, TEST_SECRETS } from './hubProcess';
import { TestProcess } from './testProcess';

/** `hub gateway` alone, as an operator starts it against any supergraph file. */
export class GatewayProcess {
  private constructor(
    private readonly process: TestProcess,
    readonly url: string,
  ) {}

  static async start(args: string[], port: number, env: NodeJS.ProcessEnv): Promise<GatewayProcess> {
    const process = await TestProcess.start({
      name: 'hub gateway',
      args: [join(repoRoot(), 'scripts', 'bin', 'hub.js'), 'gateway', ...args, '--port', String(port)],
      // A registry of its own unless one is named: a developer's schema/registry must not leak into tests.
      env: { ...globalThis.process.env, ...TEST_SECRETS, ...TEST_GATEWAY_SETTINGS, GATEWAY_HOST: '127.0.0.1', LOG_LEVEL: 'warn', SCHEMA_REGISTRY_DIR: mkdtempSync(join(tmpdir(), 'cdo-hub-registry-')), ...env },
      ready: { output: /gateway ready/ },
    });
    return new GatewayProcess(process, `http://127.0.0.1:${port}/graphql`);
  }

  get child(): ChildProcess {
    return this.process.child;
  }

  get log(): string {
    return this.process.log;
  }

  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null> {
    return this.process.stop();
  }
}
