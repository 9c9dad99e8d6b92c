import {
  explainOperation,
  formatExplanation,
  formatProblem,
  loadConsumerRegistry,
  loadGatewayConfig,
  loadPolicySet,
  loadSecrets,
  loadServedSupergraph,
  parseDuration,
  signDevelopmentToken,
  type PolicyProblem,
} from '@cdo-hub/gateway';

export interface PolicyCheckReport {
  problems: PolicyProblem[];
  errors: number;
  warnings: number;
  version?: string;
}

/** `hub policy check`: every policy against the current supergraph and consumer registry. */
export async function checkPolicies(env: NodeJS.ProcessEnv = process.env): Promise<PolicyCheckReport> {
  const config = loadGatewayConfig(env);
  const supergraph = await loadServedSupergraph(config);
  const { policySet, problems } = loadPolicySet({ policyDir: config.policyDir, consumersFile: config.consumersFile }, supergraph);
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
export async function explainPolicies(consumerId: string, purpose: string | undefined, query: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const config = loadGatewayConfig(env);
  const supergraph = await loadServedSupergraph(config);
  const { policySet, problems } = loadPolicySet({ policyDir: config.policyDir, consumersFile: config.consumersFile }, supergraph);
  if (!policySet) throw new Error(`the policies do not load:\n${problems.filter((p) => p.severity === 'error').map(formatProblem).join('\n')}`);
  const consumer = policySet.consumers.consumers.get(consumerId);
  if (!consumer) throw new Error(`unknown consumer "${consumerId}"; registered: ${[...policySet.consumers.consumers.keys()].join(', ')}`);
  if (purpose !== undefined && consumer.kind !== 'PUBLIC' && !consumer.purposes.includes(purpose)) {
    throw new Error(`${consumerId} may not state purpose "${purpose}"; its purposes: ${consumer.purposes.join(', ')}`);
  }
  const explained = explainOperation(policySet, consumer, purpose, query, Date.now());
  if ('errors' in explained) throw new Error(explained.errors.map((e) => e.message).join('\n'));
  return `consumer ${consumer.id} (${consumer.name}), purpose ${purpose ?? '(none)'}, policy version ${policySet.version}\n${formatExplanation(explained)}`;
}

/**
 * `hub token`: a development token for a registered consumer, signed with the secret the gateway
 * verifies (the environment's, or the generated development file's).
 */
export async function issueDevelopmentToken(options: { consumer: string; purpose?: string; roles?: string[]; ttl: string }, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const config = loadGatewayConfig(env);
  const { registry, problems } = loadConsumerRegistry(config.consumersFile);
  if (!registry) throw new Error(problems.map((p) => p.message).join('\n'));
  const consumer = registry.consumers.get(options.consumer);
  if (!consumer || consumer.kind === 'PUBLIC') throw new Error(`unknown consumer "${options.consumer}"; registered: ${[...registry.consumers.values()].filter((c) => c.kind !== 'PUBLIC').map((c) => c.id).join(', ')}`);
  if (options.purpose && !consumer.purposes.includes(options.purpose)) throw new Error(`${consumer.id} may not state purpose "${options.purpose}"; its purposes: ${consumer.purposes.join(', ')}`);
  const secrets = loadSecrets({ production: config.production, env });
  return signDevelopmentToken(secrets.jwtSecret, { consumer: consumer.id, ttlSeconds: parseDuration(options.ttl), ...(options.purpose ? { purpose: options.purpose } : {}), ...(options.roles ? { roles: options.roles } : {}) });
}
