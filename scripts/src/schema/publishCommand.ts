import { knownAgency } from '../grant/grantCommands';
import {
  fetchSubgraphSdl,
  formatCheck,
  loadProposedSdl,
  publish,
  runningSubgraphUrl,
  withRegistry,
} from './schemaCommands';
import { awaitServed } from './servedCheck';

export interface PublishCommandOptions {
  agency: string;
  sdl?: string;
  url?: string;
  reason: string;
  author?: string;
  force?: boolean;
  wait?: number;
  beforeDeploy?: boolean;
  sinceDays: number;
}

/**
 * `hub schema publish`: check, make sure the agency's running subgraph serves the proposal (or
 * wait for it with --wait), then store the version. Returns the exit code.
 */
export async function publishCommand(
  options: PublishCommandOptions,
  signingKey: () => string,
  operator: string,
  print: (line: string) => void,
): Promise<number> {
  const agency = knownAgency(options.agency);
  if (options.wait !== undefined && !(Number.isFinite(options.wait) && options.wait >= 0))
    throw new Error('--wait takes a number of seconds, 0 or more');
  const proposed = await loadProposedSdl({ ...options, signingKey });
  const { report, version, unserved } = await withRegistry((registry, config, state) => {
    const url = runningSubgraphUrl(state, agency);
    return publish(registry, config, state, {
      agency,
      sdl: proposed.sdl,
      source: proposed.source,
      author: options.author ?? operator,
      reason: options.reason,
      force: options.force ?? false,
      sinceDays: options.sinceDays,
      ...(options.beforeDeploy
        ? {}
        : {
            ensureServed: () =>
              awaitServed({
                proposedSdl: proposed.sdl,
                url,
                fetchSdl: () => fetchSubgraphSdl(url, agency, signingKey),
                waitSeconds: options.wait ?? 0,
              }),
          }),
    });
  });
  for (const line of formatCheck(report, proposed.from, version?.forced ? 'published' : undefined)) print(line);
  if (unserved) {
    print(
      `not published: ${unserved}${options.wait ? ` (after waiting ${options.wait} s)` : ''}; the registry is unchanged`,
    );
    print(
      '  deploy the new subgraph first, or publish with --wait SECONDS while it rolls out (--before-deploy publishes anyway: queries naming the new fields fail until it serves them)',
    );
    return 1;
  }
  if (!version) {
    print('not published: the registry is unchanged');
    return 1;
  }
  print(
    `published ${version.agency} v${version.version}${version.forced ? ' (forced over the errors above)' : ''}: gateways now serve supergraph ${version.supergraphVersion}`,
  );
  return 0;
}
