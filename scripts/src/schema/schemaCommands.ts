import {
  agencyVersions,
  currentSupergraph,
  currentVersions,
  findVersion,
  openSchemaRegistry,
  publishVersion,
  RegistryError,
  rollbackTarget,
  seedRegistry,
  type RegistryState,
  type SchemaRegistry,
  type SchemaVersion,
} from '@cdo-hub/gateway/registry';
import { loadGatewayConfig, subgraphUrlVariable, type GatewayConfig } from '@cdo-hub/gateway/config';
import { parseSupergraph } from '@cdo-hub/gateway/supergraph';
import { textTable } from '@cdo-hub/gateway/audit';
import { signedSubgraphHeaders } from '@cdo-hub/gateway/signing';
import { readFileSync } from 'node:fs';
import { createTwoFilesPatch } from 'diff';
import { agencySubgraphSources, composeSupergraph } from '../compose/composeSupergraph';
import { checkSchema, type SchemaCheckReport } from './schemaCheck';
import type { ServingOutcome } from './servedCheck';
import { agencyUrl } from '@cdo-hub/subgraph-kit/paths';
import { findAgency } from '@cdo-hub/subgraph-kit/agencies';

/**
 * The CDO's schema workflow behind `hub schema check|publish|list|diff|rollback`: the registry
 * opened from the gateway's configuration (seeded from the committed SDLs on first use), the
 * proposal checked against what is served, and a publish applied only if nothing else went live
 * in between.
 */
export async function withRegistry<T>(
  run: (registry: SchemaRegistry, config: GatewayConfig, state: RegistryState) => Promise<T>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<T> {
  const config = loadGatewayConfig(env);
  const registry = await openSchemaRegistry(config);
  try {
    let state = await registry.read();
    if (!state.versions.length) {
      const sources = agencySubgraphSources();
      const composed = composeSupergraph(sources);
      if (!composed.ok)
        throw new Error(`the committed subgraph SDLs do not compose:\n  ${composed.errors.join('\n  ')}`);
      const supergraph = parseSupergraph(composed.supergraphSdl, 'committed SDLs');
      await registry.update((current) => {
        const next = seedRegistry(current, {
          sources: sources.map((s) => ({ agency: s.name, sdl: s.sdl })),
          supergraph: { version: supergraph.version, sdl: composed.supergraphSdl },
          now: new Date(),
        });
        return { state: next, result: undefined };
      });
      state = await registry.read();
    }
    return await run(registry, config, state);
  } finally {
    await registry.close();
  }
}

/**
 * The proposed SDL: a file, or what a running subgraph serves (`_service { sdl }`), asked with a
 * call signed by the hub's key (`signingKey`), as subgraphs refuse unsigned calls.
 */
export async function loadProposedSdl(options: {
  agency: string;
  sdl?: string;
  url?: string;
  signingKey: () => string;
}): Promise<{ sdl: string; source: 'file' | 'url'; from: string }> {
  if (options.sdl && options.url) throw new Error('give --sdl or --url, not both');
  if (options.sdl) return { sdl: readFileSync(options.sdl, 'utf8'), source: 'file', from: options.sdl };
  if (!options.url) throw new Error('give the proposed schema: --sdl FILE or --url SUBGRAPH_URL');
  return {
    sdl: await fetchSubgraphSdl(options.url, options.agency, options.signingKey),
    source: 'url',
    from: options.url,
  };
}

/** What a running subgraph serves (`_service { sdl }`), asked with a call signed by the hub's key. */
export async function fetchSubgraphSdl(url: string, agency: string, signingKey: () => string): Promise<string> {
  let response: Response;
  try {
    const request = { query: '{ _service { sdl } }' };
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...signedSubgraphHeaders(signingKey(), agency, request),
      },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new Error(`cannot reach ${url}: ${(error as Error).message}`, { cause: error });
  }
  const body = (await response.json().catch(() => undefined)) as { data?: { _service?: { sdl?: string } } } | undefined;
  const sdl = body?.data?._service?.sdl;
  if (!sdl) throw new Error(`${url} did not answer { _service { sdl } } (HTTP ${response.status})`);
  return sdl;
}

/**
 * Where the agency's running subgraph is: `<AGENCY>_URL` or `<AGENCY>_PORT` when set (as
 * `hub start` and the gateway read them), else the served supergraph's routing URL.
 */
export function runningSubgraphUrl(state: RegistryState, agency: string, env: NodeJS.ProcessEnv = process.env): string {
  const info = findAgency(agency);
  if (env[subgraphUrlVariable(agency)] || env[`${info.envPrefix}_PORT`]) return agencyUrl(info, env);
  const served = currentSupergraph(state);
  const routed = served
    ? parseSupergraph(served.sdl, 'served').subgraphs.find((s) => s.name === agency)?.url
    : undefined;
  return routed ?? agencyUrl(info, env);
}

export async function runCheck(
  registryState: RegistryState,
  config: GatewayConfig,
  agency: string,
  sdl: string,
  sinceDays: number,
): Promise<SchemaCheckReport> {
  return checkSchema({
    agency,
    sdl,
    state: registryState,
    policySources: { policyDir: config.policyDir, consumersFile: config.consumersFile },
    auditDir: config.auditDir,
    since: new Date(Date.now() - sinceDays * 86_400_000),
    ...(config.auditRedisUrl ? { auditRedisUrl: config.auditRedisUrl } : {}),
  });
}

/**
 * The check as the CDO reads it. `applied` says what the command then did (publish --force, a
 * rollback), so the last line agrees with it instead of calling applied errors "not publishable".
 */
export function formatCheck(report: SchemaCheckReport, from: string, applied?: 'published' | 'rolled back'): string[] {
  const lines = [
    `schema check: ${report.agency} from ${from}, against the served supergraph ${report.basedOn ?? '(none)'}`,
  ];
  const composition = report.findings.some((f) => f.kind === 'composition')
    ? 'FAILED'
    : `ok → supergraph ${report.supergraph?.version}`;
  lines.push(`  composition: ${composition}`);
  for (const finding of report.findings)
    lines.push(`  ${finding.severity.padEnd(7)} ${finding.kind.padEnd(12)} ${finding.message}`);
  const policyBroken = report.findings.some(
    (f) => f.severity === 'error' && (f.kind === 'policy' || f.kind === 'composition'),
  );
  if (applied) {
    lines.push(
      report.errors
        ? `${report.errors} error(s), ${report.warnings} warning(s): ${applied} over them (${applied === 'rolled back' ? 'a rollback restores what was served; only composition and the policies block it' : 'forced'}; the errors are recorded with the version)`
        : `no errors, ${report.warnings} warning(s)`,
    );
    return lines;
  }
  lines.push(
    !report.errors
      ? `no errors, ${report.warnings} warning(s): publishable`
      : policyBroken
        ? `${report.errors} error(s), ${report.warnings} warning(s): not publishable (the supergraph or the policies must be fixed first)`
        : `${report.errors} error(s), ${report.warnings} warning(s): not publishable (publish refuses it; --force --reason overrides and is recorded)`,
  );
  return lines;
}

export interface PublishOptions {
  agency: string;
  sdl: string;
  source: SchemaVersion['source'];
  author: string;
  reason: string;
  force: boolean;
  sinceDays: number;
  restores?: number;
  /** Asked after the check passes, before anything is stored: does the running subgraph serve the SDL? */
  ensureServed?: () => Promise<ServingOutcome>;
}

/** Checks, then stores the version and makes its supergraph the served one; refuses on errors unless forced. */
export async function publish(
  registry: SchemaRegistry,
  config: GatewayConfig,
  state: RegistryState,
  options: PublishOptions,
): Promise<{ report: SchemaCheckReport; version?: SchemaVersion; unserved?: string }> {
  const report = await runCheck(state, config, options.agency, options.sdl, options.sinceDays);
  if (!report.supergraph) return { report };
  // --force overrides what consumers' operations would lose, never a policy that no longer compiles: gateways would refuse that supergraph.
  if (report.findings.some((f) => f.severity === 'error' && f.kind === 'policy')) return { report };
  if (report.errors && !options.force) return { report };
  const serving = await options.ensureServed?.();
  if (serving && !serving.served) return { report, unserved: serving.reason };
  const errors = report.findings.filter((f) => f.severity === 'error').map((f) => f.message);
  const version = await registry.update((current) =>
    publishVersion(current, {
      agency: options.agency,
      sdl: options.sdl,
      author: options.author,
      reason: options.reason,
      source: options.source,
      supergraph: report.supergraph!,
      basedOn: report.basedOn,
      ...(errors.length ? { forced: { errors } } : {}),
      ...(options.restores !== undefined ? { restores: options.restores } : {}),
      now: new Date(),
    }),
  );
  return { report, version };
}

export function formatVersions(state: RegistryState, agency?: string): string[] {
  const served = currentVersions(state);
  const rows = agencyVersions(state, agency).map((v) => [
    served.get(v.agency)?.version === v.version ? '*' : '',
    v.agency,
    `v${v.version}`,
    v.publishedAt.replace('T', ' ').slice(0, 19),
    v.author,
    v.source + (v.restores ? ` of v${v.restores}` : '') + (v.forced ? ' (forced)' : ''),
    v.supergraphVersion,
    v.reason,
  ]);
  return [
    ...textTable(['', 'agency', 'version', 'published (UTC)', 'author', 'source', 'supergraph', 'reason'], rows),
    `served: supergraph ${currentSupergraph(state)?.version ?? '(none)'} (* marks each agency's served version)`,
  ];
}

export function diffVersions(state: RegistryState, agency: string, from: number, to: number): string {
  const a = findVersion(state, agency, from);
  const b = findVersion(state, agency, to);
  if (!a || !b) throw new RegistryError('UNKNOWN_VERSION', `${agency} has no version ${!a ? from : to}`);
  return createTwoFilesPatch(`${agency} v${from}`, `${agency} v${to}`, a.sdl, b.sdl, a.publishedAt, b.publishedAt);
}

export { rollbackTarget };
