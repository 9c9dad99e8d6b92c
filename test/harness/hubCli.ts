import { repoRoot } from '@cdo-hub/subgraph-kit';
import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { TEST_SECRETS } from './hubProcess';

/** What a `hub` command answered. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const hubBin = () => join(repoRoot(), 'scripts', 'bin', 'hub.js');

/**
 * `hub <args>` as an operator runs it (scripts/bin/hub.js under this Node), with the test hubs'
 * secrets and `env` on top of this process's environment. Resolves with its exit code and output,
 * whatever the code: the one way e2e tests run the CLI.
 */
export function hubCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [hubBin(), ...args],
      { env: { ...process.env, ...TEST_SECRETS, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number')
          reject(error); // it did not run at all (or was killed)
        else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

/** `hubCli`, for commands a test expects to succeed: rejects with the output on a non-zero exit. */
export async function hubCliOk(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const result = await hubCli(args, env);
  if (result.code !== 0)
    throw new Error(`hub ${args.join(' ')} exited ${result.code}:\n${result.stdout}${result.stderr}`);
  return result;
}

/** A long-running `hub <args>` (e.g. `audit tail`) as a child process with piped output. */
export function spawnHubCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, [hubBin(), ...args], {
    env: { ...process.env, ...TEST_SECRETS, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
