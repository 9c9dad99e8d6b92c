import { repoRoot } from '@cdo-hub/subgraph-kit/paths';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** The Hive Gateway release row (b) measures: pinned, so runs compare. */
export const HIVE_GATEWAY_VERSION = '2.15.1';

/**
 * Row (b)'s peer, Hive Gateway, is a benchmark tool, not part of the product: `npm install` never
 * brings it. The harness installs the pinned release into its own folder under `.data/` on first
 * use (about a minute, from the npm registry) and reuses it after. Resolves the CLI's path, or
 * undefined when it cannot be installed (offline): row (b) is then skipped, and says so.
 */
export function ensureHiveGateway(log: (line: string) => void): string | undefined {
  const dir = join(repoRoot(), '.data', 'bench-tools', `hive-gateway-${HIVE_GATEWAY_VERSION}`);
  const bin = join(dir, 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  log(`installing @graphql-hive/gateway@${HIVE_GATEWAY_VERSION} into ${dir} for row (b) (first run only)`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const installed = spawnSync(
    npm,
    [
      'install',
      '--prefix',
      dir,
      '--no-audit',
      '--no-fund',
      '--no-save',
      '--loglevel=error',
      `@graphql-hive/gateway@${HIVE_GATEWAY_VERSION}`,
    ],
    { encoding: 'utf8', timeout: 10 * 60_000 },
  );
  if (installed.status !== 0 || !existsSync(bin)) {
    log(
      `row (b) skipped: @graphql-hive/gateway could not be installed (${(installed.stderr || installed.error?.message || 'unknown error').trim().split('\n').pop()})`,
    );
    return undefined;
  }
  return bin;
}
