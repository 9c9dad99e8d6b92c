import { currentSupergraph, currentVersions, type RegistryState } from '@cdo-hub/gateway/registry';
import { formatProblem, loadPolicySet, type PolicySources } from '@cdo-hub/gateway/policy';
import { parseSupergraph, type Supergraph } from '@cdo-hub/gateway/supergraph';
import { auditChainDirs, readAuditChains, readOperations } from '@cdo-hub/gateway/audit';
import { findAgency } from '@cdo-hub/subgraph-kit/agencies';
import {
  findBreakingChanges,
  findDangerousChanges,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  parse,
  validate,
  type GraphQLSchema,
} from 'graphql';
import { composeSupergraph, type SubgraphSource } from '../compose/composeSupergraph';
import { agencyUrl } from '@cdo-hub/subgraph-kit/paths';

/**
 * What `hub schema check` finds in a proposed subgraph schema, each with a message for the CDO.
 * Errors block `hub schema publish` (unless forced): the supergraph does not compose, a policy no
 * longer compiles, or operations consumers sent recently would no longer validate. Warnings do
 * not: breaking changes nobody's recent operations use, dangerous changes, new fields without a
 * sharing class of their own (NOT_SHARED until classed, or shared by their type's default).
 */
export interface CheckFinding {
  severity: 'error' | 'warning';
  kind: 'composition' | 'breaking' | 'dangerous' | 'policy' | 'unclassified' | 'usage';
  message: string;
}

/** A recent operation the change would break, with how often and by whom it was sent. */
export interface BrokenOperation {
  hash: string;
  name: string | null;
  count: number;
  consumers: string[];
  errors: string[];
}

export interface SchemaCheckReport {
  agency: string;
  /** The supergraph served when the check ran. */
  basedOn: string | undefined;
  findings: CheckFinding[];
  broken: BrokenOperation[];
  /** Present when the proposal composes. */
  supergraph?: { version: string; sdl: string };
  errors: number;
  warnings: number;
}

export interface SchemaCheckInput {
  agency: string;
  sdl: string;
  /** A seeded registry. */
  state: RegistryState;
  policySources: PolicySources;
  /** Where the audit trail and its operation store are (usage checks). */
  auditDir: string;
  /** Operations sent since then count as in use. */
  since: Date;
  /** Set when gateways write their trail to Redis Streams: records not yet archived are not read. */
  auditRedisUrl?: string;
}

export async function checkSchema(input: SchemaCheckInput): Promise<SchemaCheckReport> {
  const served = currentSupergraph(input.state);
  const findings: CheckFinding[] = [];
  const report = (extra: Partial<SchemaCheckReport> = {}): SchemaCheckReport => ({
    agency: input.agency,
    basedOn: served?.version,
    findings,
    broken: [],
    ...extra,
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
  });

  let proposedSdl: string;
  try {
    parse(input.sdl);
    proposedSdl = input.sdl;
  } catch (error) {
    findings.push({
      severity: 'error',
      kind: 'composition',
      message: `the SDL does not parse: ${(error as Error).message}`,
    });
    return report();
  }
  const before = served ? parseSupergraph(served.sdl, `registry ${served.version}`) : undefined;
  const composed = composeSupergraph(proposedSources(input, before, proposedSdl));
  if (!composed.ok) {
    for (const message of composed.errors) findings.push({ severity: 'error', kind: 'composition', message });
    return report();
  }
  const after = parseSupergraph(composed.supergraphSdl, 'proposed');
  const supergraph = { version: after.version, sdl: composed.supergraphSdl };

  if (before) {
    for (const change of findBreakingChanges(before.apiSchema, after.apiSchema))
      findings.push({ severity: 'warning', kind: 'breaking', message: `${change.type}: ${change.description}` });
    for (const change of findDangerousChanges(before.apiSchema, after.apiSchema))
      findings.push({ severity: 'warning', kind: 'dangerous', message: `${change.type}: ${change.description}` });
  }
  findings.push(...policyFindings(input, before, after));
  const { broken, records } = before
    ? await brokenOperations(input, before.apiSchema, after.apiSchema)
    : { broken: [], records: 0 };
  // A usage check that read nothing must not pass silently.
  if (!records)
    findings.push({
      severity: 'warning',
      kind: 'usage',
      message: `no operations recorded since ${input.since.toISOString().slice(0, 10)} in ${input.auditDir}: consumers' usage was not checked`,
    });
  if (input.auditRedisUrl)
    findings.push({
      severity: 'warning',
      kind: 'usage',
      message:
        'gateways write their audit trail to Redis Streams: only records moved to the files by `hub audit archive` were read',
    });
  for (const operation of broken) {
    findings.push({
      severity: 'error',
      kind: 'usage',
      message: `operation ${operation.name ?? '(anonymous)'} (${operation.hash.slice(0, 12)}), sent ${operation.count} time(s) since ${input.since.toISOString().slice(0, 10)} by ${operation.consumers.join(', ')}, would no longer validate: ${operation.errors.join(' ')}`,
    });
  }
  return report({ broken, supergraph });
}

/** Every agency's served SDL, the proposed one in place of the agency's, routed where the served supergraph routes. */
function proposedSources(input: SchemaCheckInput, before: Supergraph | undefined, sdl: string): SubgraphSource[] {
  const current = currentVersions(input.state);
  const urlOf = (agency: string) =>
    before?.subgraphs.find((s) => s.name === agency)?.url ?? agencyUrl(findAgency(agency), {});
  const agencies = [...new Set([...current.keys(), input.agency])].sort();
  return agencies.map((agency) => ({
    name: agency,
    url: urlOf(agency),
    sdl: agency === input.agency ? sdl : current.get(agency)!.sdl,
  }));
}

/**
 * Policy breakage: problems the policies have against the proposed supergraph and did not have
 * against the served one (a policy naming a field that is gone); and the agency's new fields with
 * no sharing class, NOT_SHARED until its CDO classes them.
 */
function policyFindings(input: SchemaCheckInput, before: Supergraph | undefined, after: Supergraph): CheckFinding[] {
  const findings: CheckFinding[] = [];
  const known = new Set(
    before ? loadPolicySet(input.policySources, before).problems.map((p) => `${p.severity}|${p.message}`) : [],
  );
  const compiled = loadPolicySet(input.policySources, after);
  for (const problem of compiled.problems) {
    if (known.has(`${problem.severity}|${problem.message}`)) continue;
    findings.push({
      severity: problem.severity === 'error' ? 'error' : 'warning',
      kind: 'policy',
      message: formatProblem(problem),
    });
  }
  if (!compiled.policySet) return findings;
  const existing = before ? coordinates(before.apiSchema) : new Set<string>();
  for (const coordinate of coordinates(after.apiSchema)) {
    if (existing.has(coordinate) || !(after.ownership.resolvers.get(coordinate) ?? []).includes(input.agency)) continue;
    const classification = compiled.policySet.classify(coordinate, input.agency);
    if (classification.origin === 'field') continue;
    findings.push({
      severity: 'warning',
      kind: 'unclassified',
      message:
        classification.origin === 'unclassified'
          ? `${coordinate} is new and ${input.agency}'s policy gives it no sharing class: it is NOT_SHARED until the CDO classes it`
          : `${coordinate} is new and takes its type's default in ${input.agency}'s policy: ${classification.sharingClass} ${classification.level} — class it explicitly if that is not meant`,
    });
  }
  return findings;
}

function coordinates(schema: GraphQLSchema): Set<string> {
  const result = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)))
      continue;
    for (const field of Object.keys(type.getFields())) result.add(`${type.name}.${field}`);
  }
  return result;
}

/**
 * Operations recorded in the audit trail since `since` that validate against the served API
 * schema and would not against the proposed one, with how often and by whom they were sent.
 */
async function brokenOperations(
  input: SchemaCheckInput,
  before: GraphQLSchema,
  after: GraphQLSchema,
): Promise<{ broken: BrokenOperation[]; records: number }> {
  const usage = new Map<string, { count: number; consumers: Set<string> }>();
  let records = 0;
  for await (const record of readAuditChains(input.auditDir, { since: input.since })) {
    if (!('operationHash' in record) || !record.operationHash || record.time < input.since.toISOString()) continue;
    records++;
    const entry = usage.get(record.operationHash) ?? { count: 0, consumers: new Set<string>() };
    entry.count++;
    entry.consumers.add(record.consumer);
    usage.set(record.operationHash, entry);
  }
  const broken: BrokenOperation[] = [];
  // A gateway of several workers keeps one chain, and one operation store, per worker.
  for (const operation of auditChainDirs(input.auditDir).flatMap((chain) => readOperations(chain))) {
    const used = usage.get(operation.hash);
    if (!used) continue;
    usage.delete(operation.hash); // an operation stored twice (after a crash) counts once
    let document;
    try {
      document = parse(operation.text);
    } catch {
      continue;
    }
    if (validate(before, document).length) continue; // already invalid: not this change's doing
    const errors = validate(after, document);
    if (!errors.length) continue;
    broken.push({
      hash: operation.hash,
      name: operation.name,
      count: used.count,
      consumers: [...used.consumers].sort(),
      errors: errors.map((e) => e.message),
    });
  }
  return { broken: broken.sort((a, b) => b.count - a.count), records };
}
