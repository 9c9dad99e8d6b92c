import { repoRoot } from '@cdo-hub/subgraph-kit/paths';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

/**
 * `hub gateway` with more than one worker: the gateway program (`gateway/dist/main.js`, what
 * `hub start` runs) as the cluster primary, given the command's options through the environment
 * it reads. Its logs pass through; this command prints the one ready line on stdout, forwards
 * SIGTERM/SIGINT (the primary drains every worker) and exits with the primary's code.
 */
export function runGatewayWorkers(options: {
  supergraph?: string;
  host: string;
  port: number;
  workers: number;
  open?: boolean;
}): void {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GATEWAY_WORKERS: String(options.workers),
    GATEWAY_HOST: options.host,
    GATEWAY_PORT: String(options.port),
    ...(options.supergraph ? { SUPERGRAPH_FILE: resolve(options.supergraph) } : {}),
  };
  const primary = spawn(
    process.execPath,
    [join(repoRoot(), 'gateway', 'dist', 'main.js'), ...(options.open ? ['--open'] : [])],
    {
      env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  primary.on('message', (message: { ready?: boolean; port?: number }) => {
    if (message?.ready)
      console.log(
        `gateway ready at http://${options.host}:${message.port ?? options.port}/graphql (${options.workers} workers)`,
      );
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => primary.kill(signal));
  primary.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
