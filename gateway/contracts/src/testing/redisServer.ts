import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on the loopback interface. */
export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A real `redis-server` for tests, on a free port with its data in a temporary folder, stopped and
 * removed by `stop()`. Settings are passed as command-line options (`{ appendonly: 'yes' }`).
 */
export class RedisTestServer {
  private constructor(
    private child: ChildProcess,
    readonly port: number,
    readonly dir: string,
    private readonly args: string[],
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(settings: Record<string, string> = {}): Promise<RedisTestServer> {
    // The port is free when picked; another test run on the machine may take it before redis
    // binds it, so a bind failure picks again (three tries).
    for (let attempt = 1; ; attempt++) {
      const port = await freeTcpPort();
      const dir = mkdtempSync(join(tmpdir(), 'redis-test-'));
      const options = {
        port: String(port),
        bind: '127.0.0.1',
        dir,
        save: '',
        appendonly: 'yes',
        appendfsync: 'always',
        'maxmemory-policy': 'noeviction',
        ...settings,
      };
      const args = Object.entries(options).flatMap(([key, value]) => [`--${key}`, value]);
      try {
        return new RedisTestServer(await RedisTestServer.spawn(args), port, dir, args);
      } catch (error) {
        rmSync(dir, { recursive: true, force: true });
        if (attempt >= 3 || !/Address already in use/i.test(String((error as Error).message))) throw error;
      }
    }
  }

  private static async spawn(args: string[]): Promise<ChildProcess> {
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let missing: Error | undefined;
    child.on('error', (error: NodeJS.ErrnoException) => {
      missing =
        error.code === 'ENOENT'
          ? new Error(
              'redis-server is not on PATH: run the tests with `npm test` from the repository root (as root on Debian/Ubuntu it installs it), or install it (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis)',
            )
          : error;
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // Generous: on a busy machine (two test runs on two cores) a start takes seconds.
    const deadline = Date.now() + 30_000;
    while (!/Ready to accept connections/.test(output)) {
      if (missing) throw missing;
      if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}):\n${output}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`redis-server did not start within 30 s:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return child;
  }

  /** Kills the server abruptly (SIGKILL), keeping its data folder and port for `restart`. */
  async kill(): Promise<void> {
    await this.terminate('SIGKILL');
  }

  /** Starts the server again on the same port, with the same settings. */
  async restart(): Promise<void> {
    await this.terminate('SIGTERM');
    this.child = await RedisTestServer.spawn(this.args);
  }

  async stop(): Promise<void> {
    await this.terminate('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async terminate(signal: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill(signal);
    await exited;
  }
}
