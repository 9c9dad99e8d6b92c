import { getNamedType, isNonNullType, isObjectType, type GraphQLField, type GraphQLObjectType } from 'graphql';
import { connectionNodeType } from './argumentValues';
import { DEFAULT_DISPUTE_ANSWER_WORKING_DAYS, policyFileSchema } from './model';
import { policyVersion, type ArgumentValue, type FieldClassification, type Grant, type PolicySet } from './policySet';
import type { SourceLocation, YamlSource } from '../formats';
import { closest } from './closestName';
import { describeFileIssue } from './describeFileIssue';
import { blankingMessage } from './blankedObjects';
import { unreachableGrantProblems } from './parentGrants';
import type { PolicyInputs, PolicyProblem } from './policyInputs';
import { toClassification } from './fieldClassification';
import { compileGrant, compileRuntimeGrant } from './compileGrants';
import { grantIndex } from './grantIndex';
import {
  argumentGrantProblem,
  compileArgumentRule,
  compileArgumentRules,
  NO_ARGUMENTS,
  refuseUnplacedArguments,
} from './compileArgumentRules';

export * from './policyInputs';

/**
 * Validates every policy against the supergraph and the consumer directory and compiles them.
 * Returns every problem found (errors and warnings, each with file and line); the policy set is
 * returned only when there are no errors — an invalid policy is never enforced half-way.
 */
export function compilePolicies(inputs: PolicyInputs): { policySet?: PolicySet; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  const error = (location: SourceLocation, message: string, hint?: string) =>
    problems.push({ severity: 'error', location, message, ...(hint ? { hint } : {}) });
  const warn = (location: SourceLocation, message: string, hint?: string) =>
    problems.push({ severity: 'warning', location, message, ...(hint ? { hint } : {}) });
  const { schema, ownership, consumers } = inputs;

  const classifications = new Map<string, FieldClassification>();
  const files = new Map<string, string>();
  const sources = new Map<string, YamlSource>();
  const grants: Grant[] = [];
  const grantIds = new Map<string, SourceLocation>();
  const disputeAnswerDays = new Map<string, number>();
  /** Agencies whose policy file did not parse: no cascade of warnings about their fields and grants. */
  const unreadable = new Set<string>();
  /** Arguments the policies class, per `Type.field(arg)`: one entry per agency that does. */
  const explicitArguments = new Map<
    string,
    { agency: string; location: SourceLocation; value: ArgumentValue; defaultCompares?: boolean }[]
  >();

  for (const source of inputs.policies) {
    for (const syntax of source.syntaxErrors)
      error({ file: source.file, line: syntax.line }, `YAML: ${syntax.message}`);
    if (source.syntaxErrors.length) continue;
    const parsed = policyFileSchema.safeParse(source.value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        for (const described of describeFileIssue(issue, source.value))
          error(source.locate(described.path), described.message, described.hint);
      // The file is refused as a whole; its fields are not "unclassed" because of a typo.
      const named = (source.value as { agency?: unknown } | null)?.agency;
      if (typeof named === 'string') unreadable.add(named);
      continue;
    }
    const policy = parsed.data;
    const agency = policy.agency;
    const top = source.locate(['agency']);
    if (!ownership.agencies.includes(agency)) {
      error(
        top,
        `agency "${agency}" publishes no subgraph in the supergraph`,
        closest(agency, ownership.agencies)
          ? `did you mean "${closest(agency, ownership.agencies)}"?`
          : `agencies: ${ownership.agencies.join(', ')}`,
      );
      continue;
    }
    if (files.has(agency)) {
      error(top, `a second policy for "${agency}" (the first is ${files.get(agency)})`, 'one policy file per agency');
      continue;
    }
    files.set(agency, source.file);
    sources.set(agency, source);
    if (policy.disputes) disputeAnswerDays.set(agency, policy.disputes.answerWithinWorkingDays);

    for (const [typeName, typeRule] of Object.entries(policy.types)) {
      const typeLocation = source.locate(['types', typeName]);
      const type = schema.getType(typeName);
      if (!type || !isObjectType(type)) {
        error(
          typeLocation,
          `unknown type "${typeName}"`,
          closest(
            typeName,
            Object.keys(schema.getTypeMap()).filter((n) => !n.startsWith('__')),
          )
            ? `did you mean "${closest(typeName, Object.keys(schema.getTypeMap()))}"?`
            : undefined,
        );
        continue;
      }
      if (!(ownership.types.get(typeName) ?? []).includes(agency)) {
        error(
          typeLocation,
          `${agency} resolves no field of ${typeName}`,
          `${typeName} is resolved by ${(ownership.types.get(typeName) ?? []).join(', ') || 'no agency'}; a policy governs only its own agency's fields`,
        );
        continue;
      }
      const fields = type.getFields();
      for (const [fieldName, rule] of Object.entries(typeRule.fields ?? {})) {
        const coordinate = `${typeName}.${fieldName}`;
        const location = source.locate(['types', typeName, 'fields', fieldName]);
        if (!fields[fieldName]) {
          const guess = closest(fieldName, Object.keys(fields));
          error(location, `unknown field "${coordinate}"`, guess ? `did you mean "${typeName}.${guess}"?` : undefined);
          continue;
        }
        const resolvers = ownership.resolvers.get(coordinate) ?? [];
        if (!resolvers.includes(agency)) {
          error(
            location,
            `${coordinate} is resolved by ${resolvers.join(', ') || 'no agency'}, not ${agency}`,
            "a field an agency adds to another agency's entity belongs to the agency that adds it",
          );
          continue;
        }
        // A field rule stands alone: it inherits nothing from the type default, so a field made
        // CONDITIONAL under an OPEN default is not open to the public by accident.
        if (rule.minCount !== undefined && !countThresholdProblem(fields[fieldName]!, coordinate, location, error))
          continue;
        const classification = toClassification(agency, rule, 'field', location, coordinate, error);
        if (classification) classifications.set(`${agency}|${coordinate}`, classification);
      }
      for (const [key, rule] of Object.entries(typeRule.arguments ?? {})) {
        const compiled = compileArgumentRule(
          agency,
          type,
          key,
          rule,
          source.locate(['types', typeName, 'arguments', key]),
          inputs,
          error,
          warn,
        );
        if (compiled)
          explicitArguments.set(compiled.coordinate, [
            ...(explicitArguments.get(compiled.coordinate) ?? []),
            compiled.entry,
          ]);
      }
      if (typeRule.default) {
        const location = source.locate(['types', typeName, 'default']);
        if (typeRule.default.minCount !== undefined)
          error(
            location,
            `${typeName} (default) sets minCount`,
            'set minCount on each count field (or connection field) it applies to',
          );
        for (const fieldName of Object.keys(fields)) {
          const coordinate = `${typeName}.${fieldName}`;
          if (classifications.has(`${agency}|${coordinate}`) || typeRule.fields?.[fieldName]) continue;
          if (!(ownership.resolvers.get(coordinate) ?? []).includes(agency)) continue;
          const classification = toClassification(
            agency,
            typeRule.default,
            'type-default',
            location,
            `${typeName} (default)`,
            error,
          );
          if (!classification) break;
          classifications.set(`${agency}|${coordinate}`, classification);
        }
      }
    }

    policy.grants.forEach((grant, index) => {
      const compiled = compileGrant(grant, agency, source, ['grants', index], inputs, error, warn, grantIds);
      if (compiled) grants.push(compiled);
    });
  }

  const argumentRules = compileArgumentRules(schema, explicitArguments, error);

  // Revoked store grants release nothing: compiled on the side (no problems reported, their ids
  // kept apart) only so that a denial can say GRANT_REVOKED.
  const revokedGrants: Grant[] = [];
  const revokedIds = new Map<string, SourceLocation>();
  for (const runtime of (inputs.runtimeGrants ?? []).filter((r) => r.revoked)) {
    if (unreadable.has(runtime.agency)) continue;
    const compiled = compileRuntimeGrant(runtime, inputs, classifications, argumentRules, revokedIds);
    if (compiled.grant) revokedGrants.push({ ...compiled.grant, revoked: runtime.revoked! });
  }
  for (const runtime of (inputs.runtimeGrants ?? []).filter((r) => !r.revoked)) {
    if (unreadable.has(runtime.agency)) continue;
    const compiled = compileRuntimeGrant(runtime, inputs, classifications, argumentRules, grantIds);
    if (compiled.grant) grants.push(compiled.grant);
    for (const problem of compiled.problems)
      warn(
        problem.location,
        problem.severity === 'error' ? `${problem.message} — the grant is not in force` : problem.message,
        problem.hint,
      );
  }

  // Secure by default: every field an agency resolves and does not class is NOT_SHARED.
  const unclassifiedByType = new Map<string, string[]>();
  const blanking: { coordinate: string; classification: FieldClassification }[] = [];
  for (const [coordinate, agencies] of ownership.resolvers) {
    const typeName = coordinate.slice(0, coordinate.indexOf('.'));
    if (!schema.getType(typeName)) continue; // not in the API schema (federation internals)
    const field = (schema.getType(typeName) as GraphQLObjectType).getFields()[coordinate.slice(typeName.length + 1)];
    if (!field) continue;
    for (const agency of agencies) {
      if (unreadable.has(agency)) continue;
      const key = `${agency}|${coordinate}`;
      if (!classifications.has(key)) {
        const file = files.get(agency) ?? `schema/policies/${agency}.yaml`;
        classifications.set(key, {
          agency,
          sharingClass: 'NOT_SHARED',
          level: 'L4',
          open: 'CLOSED',
          origin: 'unclassified',
          source: { file, line: 1 },
          legalBasis: 'not classed by its agency (secure default)',
        });
        const list = unclassifiedByType.get(key.split('|')[0] + '|' + typeName) ?? [];
        list.push(coordinate.slice(typeName.length + 1));
        unclassifiedByType.set(key.split('|')[0] + '|' + typeName, list);
      }
      const classification = classifications.get(key)!;
      if (
        classification.sharingClass !== 'UNCONDITIONAL' &&
        classification.origin !== 'unclassified' &&
        field.type.toString().endsWith('!')
      ) {
        if (!classification.allowBlanking) blanking.push({ coordinate, classification });
      }
    }
  }
  // Refused unless the CDO confirmed it next to the field: withholding a non-null field blanks whole objects.
  for (const { coordinate, classification } of blanking)
    error(
      classification.source,
      blankingMessage(inputs, grants, coordinate, classification),
      'make the field nullable in the SDL, class it UNCONDITIONAL, or confirm with `allowBlanking: true` next to its class',
    );
  for (const [key, fields] of unclassifiedByType) {
    const [agency, typeName] = key.split('|') as [string, string];
    const file = files.get(agency);
    const location = file ? { file, line: 1 } : { file: `schema/policies/${agency}.yaml`, line: 1 };
    warn(
      location,
      `${agency} resolves ${typeName}.{${fields.join(', ')}} with no sharing class: NOT_SHARED until classed`,
      `add them under types.${typeName} (or a default for the type)`,
    );
  }
  refuseUnplacedArguments(argumentRules, inputs, sources, classifications, error);

  for (const grant of grants) {
    if (grant.origin === 'grant-store') continue; // checked on its own by compileRuntimeGrant
    if (grant.expiresAt <= inputs.now)
      warn(
        grant.source,
        `grant "${grant.id}" expired on ${grant.expires}; it no longer releases anything`,
        'renew it (new expiry, approved again) or remove it',
      );
    for (const field of grant.fields) {
      if (field.fieldName === '*') continue;
      if (field.argument) {
        const problem = argumentGrantProblem(argumentRules.rules.get(field.coordinate), grant.agency, field.coordinate);
        if (problem)
          (problem.severity === 'error' ? error : warn)(
            field.source,
            `grant "${grant.id}" names ${field.coordinate}: ${problem.message}`,
            problem.hint,
          );
        continue;
      }
      const classification = classifications.get(`${grant.agency}|${field.coordinate}`);
      if (classification?.sharingClass === 'NOT_SHARED') {
        error(
          field.source,
          `grant "${grant.id}" releases ${field.coordinate}, which ${grant.agency} classes NOT_SHARED (${classification.legalBasis ?? 'no legal basis recorded'})`,
          'NOT_SHARED data is never released; re-class it CONDITIONAL if the law allows',
        );
      } else if (classification?.sharingClass === 'UNCONDITIONAL' && !field.mask) {
        warn(
          field.source,
          `grant "${grant.id}" names ${field.coordinate}, which is UNCONDITIONAL already`,
          'drop it from the grant',
        );
      }
    }
  }

  if (problems.some((p) => p.severity === 'error')) return { problems };

  const grantsNaming = grantIndex(grants);
  const revokedNaming = grantIndex(revokedGrants);
  const version = policyVersion([
    ...(inputs.versionParts ?? []),
    ...inputs.policies.map((source) => `${source.file}\n${JSON.stringify(source.value)}`),
    JSON.stringify([...consumers.consumers.values()].map(({ source: _source, ...consumer }) => consumer)),
    JSON.stringify(inputs.runtimeGrants ?? []),
  ]);
  const policySet: PolicySet = {
    version,
    schema,
    ownership,
    consumers,
    files,
    grants,
    classify: (coordinate, agency) =>
      classifications.get(`${agency}|${coordinate}`) ?? {
        agency,
        sharingClass: 'NOT_SHARED',
        level: 'L4',
        open: 'CLOSED',
        origin: 'unclassified',
        source: { file: files.get(agency) ?? `schema/policies/${agency}.yaml`, line: 1 },
      },
    grantsFor: grantsNaming,
    revokedGrantsFor: revokedNaming,
    argumentRules: argumentRules.rules,
    decisiveArguments: (fieldCoordinate) => argumentRules.decisive.get(fieldCoordinate) ?? NO_ARGUMENTS,
    disputeAnswerWorkingDays: (agency) => disputeAnswerDays.get(agency) ?? DEFAULT_DISPUTE_ANSWER_WORKING_DAYS,
  };
  problems.push(...unreachableGrantProblems(policySet, inputs.now));
  return { policySet, problems };
}

/**
 * A minimum cell size needs a count it can withhold: a nullable `Int` field, or a nullable field
 * returning a connection (then its `totalCount`). A non-null count could only be withheld by
 * nulling its parent — a whole school for one small figure — so it is refused. True when fine.
 */
function countThresholdProblem(
  field: GraphQLField<unknown, unknown>,
  coordinate: string,
  location: SourceLocation,
  error: (location: SourceLocation, message: string, hint?: string) => void,
): boolean {
  const named = getNamedType(field.type);
  const connection = connectionNodeType(named);
  if (named.name !== 'Int' && !(connection && isObjectType(named) && named.getFields().totalCount)) {
    error(
      location,
      `${coordinate} sets minCount but is neither a count (Int) nor a connection with totalCount`,
      'set minCount on a count field, or on a field returning a connection (it then applies to its totalCount)',
    );
    return false;
  }
  if (isNonNullType(field.type)) {
    error(
      location,
      `${coordinate} sets minCount but is non-null: withholding a small count would null its parent`,
      "make the field nullable in its subgraph's SDL first",
    );
    return false;
  }
  return true;
}
