import {
  explainOperation,
  formatExplanation,
  formatProblem,
  loadPolicySet,
  type PolicyProblem,
} from '@cdo-hub/gateway/policy';
import { loadGatewayConfig } from '@cdo-hub/gateway/config';
import { loadServedSupergraph } from '@cdo-hub/gateway/registry';

export interface PolicyCheckReport {
  problems: PolicyProblem[];
  errors: number;
  warnings: number;
  version?: string;
}

/** `hub policy check`: every policy against the current supergraph and consumer directory. */
export async function checkPolicies(env: NodeJS.ProcessEnv = process.env): Promise<PolicyCheckReport> {
  const config = loadGatewayConfig(env);
  const supergraph = await loadServedSupergraph(config);
  const { policySet, problems } = loadPolicySet(
    { policyDir: config.policyDir, consumersFile: config.consumersFile },
    supergraph,
  );
  return {
    problems,
    errors: problems.filter((p) => p.severity === 'error').length,
    warnings: problems.filter((p) => p.severity === 'warning').length,
    ...(policySet ? { version: policySet.version } : {}),
  };
}

export function formatCheckReport(report: PolicyCheckReport): string {
  const lines = report.problems.map(formatProblem);
  lines.push(
    report.errors
      ? `${report.errors} error(s), ${report.warnings} warning(s): the gateway would refuse these policies`
      : `policies OK (version ${report.version}), ${report.warnings} warning(s)`,
  );
  return lines.join('\n');
}

/** `hub policy explain`: each field of an operation, its decision and the rule behind it. */
export async function explainPolicies(
  consumerId: string,
  purpose: string | undefined,
  query: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const config = loadGatewayConfig(env);
  const supergraph = await loadServedSupergraph(config);
  const { policySet, problems } = loadPolicySet(
    { policyDir: config.policyDir, consumersFile: config.consumersFile },
    supergraph,
  );
  if (!policySet)
    throw new Error(
      `the policies do not load:\n${problems
        .filter((p) => p.severity === 'error')
        .map(formatProblem)
        .join('\n')}`,
    );
  const consumer = policySet.consumers.consumers.get(consumerId);
  if (!consumer)
    throw new Error(
      `unknown consumer "${consumerId}"; registered: ${[...policySet.consumers.consumers.keys()].join(', ')}`,
    );
  if (purpose !== undefined && consumer.kind !== 'PUBLIC' && !consumer.purposes.includes(purpose)) {
    throw new Error(`${consumerId} may not state purpose "${purpose}"; its purposes: ${consumer.purposes.join(', ')}`);
  }
  const explained = explainOperation(policySet, consumer, purpose, query, Date.now());
  if ('errors' in explained) throw new Error(explained.errors.map((e) => e.message).join('\n'));
  return `consumer ${consumer.id} (${consumer.name}), purpose ${purpose ?? '(none)'}, policy version ${policySet.version}\n${formatExplanation(explained)}`;
}
