import { repoRoot } from '@cdo-hub/subgraph-kit';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_GATEWAY_SETTINGS, TEST_SECRETS } from './hubProcess';
import { TestProcess } from './testProcess';

/** `hub gateway` alone, as an operator starts it against any supergraph file. */
export class GatewayProcess {
  private constructor(
    private readonly process: TestProcess,
    readonly url: string,
    private readonly ownDir: string,
  ) {}

  static async start(args: string[], port: number, env: NodeJS.ProcessEnv): Promise<GatewayProcess> {
    // A data folder and registry of its own unless the test names them: the repository's .data/
    // (a developer's audit trail and grants) is never written, and two gateways of concurrent
    // tests or test runs never share an audit trail.
    const ownDir = mkdtempSync(join(tmpdir(), 'cdo-hub-gateway-'));
    try {
      const process = await TestProcess.start({
        name: 'hub gateway',
        args: [join(repoRoot(), 'scripts', 'bin', 'hub.js'), 'gateway', ...args, '--port', String(port)],
        env: {
          ...globalThis.process.env,
          ...TEST_SECRETS,
          ...TEST_GATEWAY_SETTINGS,
          GATEWAY_HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          HUB_DATA_DIR: ownDir,
          SCHEMA_REGISTRY_DIR: join(ownDir, 'registry'),
          ...env,
        },
        ready: { output: /gateway ready/ },
      });
      return new GatewayProcess(process, `http://127.0.0.1:${port}/graphql`, ownDir);
    } catch (error) {
      rmSync(ownDir, { recursive: true, force: true });
      throw error;
    }
  }

  get child(): ChildProcess {
    return this.process.child;
  }

  get log(): string {
    return this.process.log;
  }

  /** SIGTERM; resolves with the exit code once it has exited, and removes its own data folder. */
  async stop(): Promise<number | null> {
    const code = await this.process.stop();
    rmSync(this.ownDir, { recursive: true, force: true });
    return code;
  }
}
