import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

/**
 * A child process of the hub whose output lines are prefixed with its name. It runs with an IPC
 * channel: the child says when it is listening (so a stranger already on the port is never taken
 * for it), and exits by itself if this parent dies and the channel closes.
 */
export class ManagedProcess {
  readonly child: ChildProcess;
  private exited = false;
  readonly exit: Promise<number | null>;
  /** Resolves when the child reports it is listening. */
  readonly listening: Promise<void>;

  constructor(
    readonly name: string,
    script: string,
    env: NodeJS.ProcessEnv,
    output: (line: string) => void,
    args: readonly string[] = [],
    /** For programs that do not report readiness over IPC (peer gateways): listening once this URL answers. */
    readyUrl?: string,
  ) {
    this.child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => output(`[${name}] ${line}`));
    }
    this.exit = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exited = true;
        resolve(code ?? (signal ? 128 : null));
      });
    });
    this.listening = new Promise((resolve, reject) => {
      this.child.on('message', (message: { ready?: boolean }) => message?.ready && resolve());
      void this.exit.then((code) => reject(new Error(`${name} exited with ${code} before it was listening`)));
      if (readyUrl) {
        const poll = async () => {
          while (!this.exited) {
            const ok = await fetch(readyUrl, { signal: AbortSignal.timeout(1000) }).then(
              (r) => r.status < 500,
              () => false,
            );
            if (ok) return resolve();
            await new Promise((wait) => setTimeout(wait, 100));
          }
        };
        void poll();
      }
    });
    this.listening.catch(() => {});
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

  /** Last resort when this process is exiting anyway: no waiting. */
  kill(): void {
    if (this.running) this.child.kill('SIGTERM');
  }
}

/** Polls `url` until it answers 200, the process exits, or the timeout passes. */
export async function waitUntilReady(url: string, process: ManagedProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await Promise.race([
    process.listening,
    new Promise((_, reject) =>
      setTimeout(
        () => reject(new Error(`${process.name} did not start listening within ${timeoutMs / 1000} s`)),
        timeoutMs,
      ).unref(),
    ),
  ]);
  while (Date.now() < deadline) {
    if (!process.running) throw new Error(`${process.name} exited before it was ready`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not answering yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${process.name} was not ready at ${url} within ${timeoutMs / 1000} s`);
}

/** Throws, naming the port, when something already listens there. */
export async function assertPortFree(port: number, owner: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `port ${port} (${owner}) is already in use: is another hub running? Stop it, or set ${owner} to a free port.`
            : error.message,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}
