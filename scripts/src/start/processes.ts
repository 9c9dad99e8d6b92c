import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A child process of the hub whose output lines are prefixed with its name. */
export class ManagedProcess {
  readonly child: ChildProcess;
  private exited = false;
  readonly exit: Promise<number | null>;

  constructor(
    readonly name: string,
    script: string,
    env: NodeJS.ProcessEnv,
    output: (line: string) => void,
  ) {
    this.child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => output(`[${name}] ${line}`));
    }
    this.exit = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exited = true;
        resolve(code ?? (signal ? 128 : null));
      });
    });
  }

  get running(): boolean {
    return !this.exited;
  }

  /** SIGTERM, then SIGKILL if the process has not exited within `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exit;
    clearTimeout(timer);
  }
}

/**
 * Polls `url` until it answers 200, the process exits, or the timeout passes.
 */
export async function waitUntilReady(url: string, process: ManagedProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!process.running) throw new Error(`${process.name} exited before it was ready`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${process.name} was not ready at ${url} within ${timeoutMs / 1000} s`);
}
