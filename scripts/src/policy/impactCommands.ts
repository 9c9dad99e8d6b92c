import {
  describeUnreachableGrant,
  formatProblem,
  loadPolicySet,
  type PolicyImpact,
  type PolicySet,
} from '@cdo-hub/gateway/policy';
import { loadGatewayConfig, type GatewayConfig } from '@cdo-hub/gateway/config';
import { loadServedSupergraph } from '@cdo-hub/gateway/registry';
import { openGrantStore, runtimeGrantInputs, type ApprovalInput, type GrantService } from '@cdo-hub/gateway/grants';
import { readYamlSource } from '@cdo-hub/gateway/formats';
import { replayImpact, type ImpactWindow } from '@cdo-hub/gateway/audit';
import { formatImpact } from './impactReport';

/** The recent operations of the trail, and a note when the trail cannot be read in full. */
async function replay(
  config: GatewayConfig,
  before: PolicySet,
  after: PolicySet,
  window: ImpactWindow,
): Promise<{ impact: PolicyImpact; heading: string; notes: string[] }> {
  const { impact, since, records } = await replayImpact(config.auditDir, before, after, window);
  const day = since.slice(0, 10);
  const notes: string[] = [];
  if (!records)
    notes.push(`warning: no operations recorded since ${day} in ${config.auditDir}: consumers' usage was not checked`);
  if (config.auditRedisUrl)
    notes.push(
      'warning: gateways write their audit trail to Redis Streams: only records moved to the files by `hub audit archive` were read',
    );
  return {
    impact,
    heading: `impact on ${impact.operations} operation(s) consumers sent since ${day} (${records} audit record(s))`,
    notes,
  };
}

/**
 * `hub policy impact --agency A --file CHANGED.yaml`: the policies in force (files and grant
 * store) against the same with A's file replaced, over consumers' recent operations. A file the
 * gateway would refuse is reported as such (exit 1), with the problems.
 */
export async function policyFileImpact(
  agency: string,
  file: string,
  window: ImpactWindow,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ lines: string[]; refused: boolean }> {
  const config = loadGatewayConfig(env);
  const supergraph = await loadServedSupergraph(config);
  const sources = { policyDir: config.policyDir, consumersFile: config.consumersFile };
  const changedSource = readYamlSource(file);
  const named = (changedSource.value as { agency?: unknown } | undefined)?.agency;
  // A file that does not parse is reported below with its lines, like any policy the gateway would refuse.
  if (!changedSource.syntaxErrors.length && named !== agency)
    throw new Error(`${file} is the policy of "${String(named)}", not of ${agency}`);
  const store = await openGrantStore(config);
  let runtimeGrants;
  try {
    runtimeGrants = runtimeGrantInputs(await store.read(), store.location);
  } finally {
    await store.close();
  }
  const current = loadPolicySet(sources, supergraph, { runtimeGrants });
  if (!current.policySet) throw new Error('the policies in force do not load: run `hub policy check`');
  const changed = loadPolicySet(sources, supergraph, { runtimeGrants, replace: { agency, file } });
  const own = (p: { location: { file: string } }) => p.location.file.endsWith(file.replace(/^.*[\\/]/, ''));
  if (!changed.policySet) {
    const errors = changed.problems.filter((p) => p.severity === 'error');
    return {
      lines: [
        ...errors.map(formatProblem),
        `${errors.length} error(s): the gateway would refuse ${file}; no impact computed`,
      ],
      refused: true,
    };
  }
  const { impact, heading, notes } = await replay(config, current.policySet, changed.policySet, window);
  // Unusable grants are listed by the preview itself, with the command that fixes them.
  const listed = new Set(impact.unusableGrants.map(describeUnreachableGrant));
  const warnings = changed.problems
    .filter((p) => p.severity === 'warning' && own(p) && !listed.has(p.message))
    .map(formatProblem);
  return { lines: [...warnings, ...notes, ...formatImpact(impact, `${agency}: ${file} — ${heading}`)], refused: false };
}

/** The preview `hub grant approve` prints before it applies the approval. */
export async function approvalImpact(
  service: GrantService,
  requestId: string,
  input: ApprovalInput,
  window: ImpactWindow,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  const config = loadGatewayConfig(env);
  const { grant, before, after } = await service.previewApproval(requestId, input);
  const { impact, heading, notes } = await replay(config, before, after, window);
  return [...notes, ...formatImpact(impact, `approving ${requestId} as ${grant.id} — ${heading}`)];
}
