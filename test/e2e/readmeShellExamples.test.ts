import {
  loadShellExamples,
  localizeScript,
  runShellExample,
  shellExampleProblem,
  type ShellExampleTarget,
} from '@cdo-hub/scripts/docs';
import { AGENCIES, repoRoot } from '@cdo-hub/subgraph-kit';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HubProcess, TEST_GATEWAY_SETTINGS, TEST_SECRETS } from '../harness/hubProcess';

// Every ```sh block of the README and docs/ is pasted, as a reader would, into bash in a checkout
// whose hub is running (small dataset): the docs cannot promise a command that does not work.
// Blocks marked `<!-- not-run: reason -->` are listed, not run.

const run = promisify(execFile);
const examples = loadShellExamples();
const runnable = examples.filter((example) => example.notRun === undefined);

let hub: HubProcess;
let scratch: string;
let target: ShellExampleTarget;

/**
 * A checkout as the docs assume it: the repository's files, with `.data` (the default data folder
 * the guides name) being the running hub's data folder.
 */
function checkoutFor(dataDir: string): string {
  const checkout = join(scratch, 'checkout');
  mkdirSync(checkout);
  const root = repoRoot();
  for (const entry of readdirSync(root))
    if (entry !== '.data' && entry !== '.git') symlinkSync(join(root, entry), join(checkout, entry));
  symlinkSync(dataDir, join(checkout, '.data'));
  return checkout;
}

beforeAll(async () => {
  hub = await HubProcess.start();
  scratch = mkdtempSync(join(tmpdir(), 'cdo-hub-docs-'));
  const tmpDir = join(scratch, 'tmp');
  mkdirSync(tmpDir);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...TEST_SECRETS,
    ...TEST_GATEWAY_SETTINGS,
    HUB_DATA_DIR: hub.dataDir,
    SCHEMA_REGISTRY_DIR: join(hub.dataDir, 'registry'),
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_PORT: String(hub.ports.gateway),
    TMPDIR: tmpDir,
  };
  for (const agency of AGENCIES) env[`${agency.envPrefix}_PORT`] = String(hub.ports[agency.id]);
  target = { gatewayOrigin: new URL(hub.gatewayUrl).origin, cwd: checkoutFor(hub.dataDir), tmpDir, env };
});

afterAll(async () => {
  await hub?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the shell examples of the README and docs/', () => {
  it('are found, and each one left out says why', () => {
    expect(runnable.some((example) => example.file === 'README.md')).toBe(true);
    for (const example of examples)
      if (example.notRun !== undefined) expect(example.notRun).not.toBe('no reason given');
  });

  it.each(runnable.map((example) => [`${example.file}:${example.line}`, example] as const))(
    '%s works when pasted',
    async (_, example) => {
      const result = await runShellExample(example, target);
      const problem = shellExampleProblem(result);
      if (problem) {
        throw new Error(
          `${example.file}:${example.line} ${problem}\n--- script (as run) ---\n${localizeScript(example.script, target)}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`,
        );
      }
    },
  );
});

describe('the hub CLI as the docs call it', () => {
  const JWT_LINE = /^[\w-]+\.[\w-]+\.[\w-]+\n$/;

  it.each([
    ['npx hub', 'npx', ['hub', 'token', '--consumer', 'district-haidian']],
    ['npm run -s hub --', 'npm', ['run', '-s', 'hub', '--', 'token', '--consumer', 'district-haidian']],
  ])('%s token prints the token and nothing else on stdout', async (_, command, args) => {
    const { stdout } = await run(command, args, { cwd: target.cwd, env: target.env });
    expect(stdout).toMatch(JWT_LINE);
  });

  it('hub token loads neither Apollo nor Fastify (it answers in a fraction of a second)', async () => {
    // NODE_DEBUG=module logs every module Node resolves, on stderr.
    const { stdout, stderr } = await run(
      process.execPath,
      [join(repoRoot(), 'scripts', 'bin', 'hub.js'), 'token', '--consumer', 'science'],
      { env: { ...target.env, NODE_DEBUG: 'module' }, maxBuffer: 64 * 1024 * 1024 },
    );
    expect(stdout).toMatch(JWT_LINE);
    expect(stderr).toContain('jose');
    expect(stderr).not.toMatch(/@apollo\/|fastify/);
  });
});
