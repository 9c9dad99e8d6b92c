import { GATEWAY_SETTINGS, subgraphTimeoutVariable, subgraphUrlVariable } from '@cdo-hub/gateway';
import { AGENCIES, AGENCY_SETTINGS, SUBGRAPH_SETTINGS } from '@cdo-hub/subgraph-kit';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// What the deployment files may set, taken from the declarations the hub reads its environment
// through (gateway/src/config/settings.ts, subgraphs/kit/src/settings/subgraphSettings.ts), so a
// variable the hub no longer reads, or never read, fails the deployment checks.

export const REPO_ROOT = join(__dirname, '..', '..');
export const DEPLOY_DIR = join(REPO_ROOT, 'deploy');

/** The secrets loader's variables (gateway/src/identity/secrets.ts), each also as `<NAME>_FILE`. */
const SECRETS = ['HUB_JWT_SECRET', 'HUB_SUBGRAPH_SIGNING_KEY', 'HUB_MASK_HASH_KEY'];

/** Every variable the gateway reads. */
export function gatewayVariables(): Set<string> {
  return new Set([
    ...Object.keys(GATEWAY_SETTINGS),
    ...SECRETS.flatMap((name) => [name, `${name}_FILE`]),
    ...AGENCIES.flatMap((agency) => [subgraphUrlVariable(agency.id), subgraphTimeoutVariable(agency.id)]),
  ]);
}

/** Every variable a subgraph process reads (the fixed ones and its agency's family). */
export function subgraphVariables(agencyId: string): Set<string> {
  const agency = AGENCIES.find((entry) => entry.id === agencyId);
  if (!agency) throw new Error(`no agency ${agencyId}`);
  const fixed = Object.entries(SUBGRAPH_SETTINGS).flatMap(([name, setting]) =>
    'fromFile' in setting && setting.fromFile ? [name, `${name}_FILE`] : [name],
  );
  const own = Object.values(AGENCY_SETTINGS).map((setting) => `${agency.envPrefix}_${setting.suffix}`);
  return new Set([...fixed, ...own]);
}

/** Runs a tool the test provisioning installs (promtool, kubectl); its output, or its complaint as an error. */
export function runTool(command: string, args: string[], cwd = REPO_ROOT): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} failed:\n${failure.stdout ?? ''}${failure.stderr ?? failure.message}`,
      { cause: error },
    );
  }
}

export { AGENCIES };
