import { spawn, type ChildProcess } from 'node:child_process';
import { until } from './until';

/** How a process says it is ready: a line in its output, or `{ ready: true }` over its IPC channel. */
export type Readiness = { output: RegExp } | { ipc: true };

export interface TestProcessOptions {
  /** Named in errors ("education", "hub gateway"). */
  name: string;
  /** The script node runs, and its arguments. */
  args: string[];
  env: NodeJS.ProcessEnv;
  ready: Readiness;
  /** How long it may take to become ready; generous, for busy machines. */
  readyTimeoutMs?: number;
}

/** Output that says the port a test picked was taken meanwhile (another run on the machine). */
const PORT_TAKEN = /EADDRINUSE|address already in use/i;

/**
 * The one process wrapper of the e2e harness: a Node child with its output collected, started
 * until it says it is ready (or fails naming why, with its output), stopped with SIGTERM or
 * killed. The hub, a lone gateway and a lone agency subgraph are each one of these.
 */
export class TestProcess {
  private output: string[] = [];
  private current!: ChildProcess;

  private constructor(private readonly options: TestProcessOptions) {}

  static async start(options: TestProcessOptions): Promise<TestProcess> {
    const process = new TestProcess(options);
    await process.launch();
    return process;
  }

  /** The running child (replaced by `restart`). */
  get child(): ChildProcess {
    return this.current;
  }

  get pid(): number | undefined {
    return this.current.pid;
  }

  /** Everything the process printed so far, stdout and stderr, across restarts. */
  get log(): string {
    return this.output.join('');
  }

  get running(): boolean {
    return this.current.exitCode === null && this.current.signalCode === null;
  }

  /** Whether it failed to start because its port was taken (the caller may pick another). */
  get portTaken(): boolean {
    return PORT_TAKEN.test(this.log);
  }

  /** Resolves once the output matches `pattern`; rejects if the process exits first or time runs out. */
  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void> {
    let exited = false;
    await until(() => pattern.test(this.log) || (exited = !this.running), timeoutMs, 50).catch(() => {
      throw new Error(`${this.options.name} did not print ${pattern} within ${timeoutMs} ms:\n${this.log}`);
    });
    if (exited && !pattern.test(this.log))
      throw new Error(
        `${this.options.name} exited (${this.current.exitCode ?? this.current.signalCode}) before printing ${pattern}:\n${this.log}`,
      );
  }

  /** Sends a signal: SIGSTOP freezes the process, SIGCONT thaws it. */
  signal(signal: NodeJS.Signals): void {
    this.current.kill(signal);
  }

  /** SIGKILL, as a crash. Resolves once it has exited. */
  async kill(): Promise<void> {
    await this.terminate('SIGKILL');
  }

  /** SIGTERM (thawing a frozen process first), as Ctrl-C or an orchestrator would; resolves with the exit code. */
  async stop(): Promise<number | null> {
    return this.terminate('SIGTERM');
  }

  /** Kills it and starts it again with the same arguments and environment. */
  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  private async terminate(signal: NodeJS.Signals): Promise<number | null> {
    if (!this.running) return this.current.exitCode;
    const exited = new Promise<number | null>((resolve) => this.current.once('exit', (code) => resolve(code)));
    if (signal !== 'SIGKILL') this.current.kill('SIGCONT'); // a frozen process cannot handle SIGTERM
    this.current.kill(signal);
    return exited;
  }

  private async launch(): Promise<void> {
    const { ready } = this.options;
    const child = spawn(process.execPath, this.options.args, {
      env: this.options.env,
      stdio: ['ignore', 'pipe', 'pipe', ...('ipc' in ready ? ['ipc' as const] : [])],
    });
    this.current = child;
    for (const stream of [child.stdout!, child.stderr!])
      stream.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    const timeoutMs = this.options.readyTimeoutMs ?? 90_000;
    try {
      if ('output' in ready) await this.waitForOutput(ready.output, timeoutMs);
      else await this.readyMessage(child, timeoutMs);
    } catch (error) {
      await this.terminate('SIGTERM'); // a process that never got ready is not left behind
      throw error;
    }
  }

  private readyMessage(child: ChildProcess, timeoutMs: number): Promise<void> {
    const { name } = this.options;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name} did not say it was ready within ${timeoutMs} ms:\n${this.log}`)),
        timeoutMs,
      );
      child.on('message', (message: { ready?: boolean }) => {
        if (!message?.ready) return;
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${this.log}`));
      });
    });
  }
}

/**
 * Starts a process on ports picked just before; when another run on the machine took one of them
 * meanwhile, picks again (three tries): two test runs at once never fail on a port.
 */
export async function startOnFreePorts<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (attempt >= 3 || !PORT_TAKEN.test(String((error as Error).message))) throw error;
    }
  }
}
