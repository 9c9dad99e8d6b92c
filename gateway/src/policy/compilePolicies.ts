import { getNamedType, isNonNullType, isObjectType, type GraphQLField, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import type { ConsumerRegistry } from '../consumers';
import { maskTypeProblem, parseMask } from '../masking';
import type { FieldOwnership } from '../supergraph';
import { argumentRule, connectionNodeType, inferArgument, returnedRecords } from './argumentValues';
import { grantSchema, policyFileSchema, type ArgumentRuleInput, type FieldRuleInput, type GrantInput } from './model';
import { policyVersion, type ArgumentRule, type ArgumentValue, type FieldClassification, type Grant, type GrantedField, type PolicySet } from './policySet';
import { formatLocation, type SourceLocation, type YamlSource } from '../formats';

export type Severity = 'error' | 'warning';

export interface PolicyProblem {
  severity: Severity;
  location: SourceLocation;
  message: string;
  hint?: string;
}

export function formatProblem(problem: PolicyProblem): string {
  return `${formatLocation(problem.location)}: ${problem.severity}: ${problem.message}${problem.hint ? `\n    hint: ${problem.hint}` : ''}`;
}

export interface PolicyInputs {
  /** One parsed YAML source per policy file. */
  policies: readonly YamlSource[];
  consumers: ConsumerRegistry;
  schema: GraphQLSchema;
  ownership: FieldOwnership;
  /**
   * Grants approved at run time (the grant store), checked like policy-file grants. A store grant
   * that does not check (say the policy now classes its field NOT_SHARED) is dropped with a
   * warning instead of failing the whole policy set: it then releases nothing.
   */
  runtimeGrants?: readonly RuntimeGrantInput[];
  /** Extra inputs that change the version (e.g. the supergraph version). */
  versionParts?: readonly string[];
  now: number;
}

/** A grant from the grant store, in the policy-file grant format, with the agency that approved it. */
export interface RuntimeGrantInput {
  agency: string;
  grant: unknown;
  /** Where it is kept, for messages (e.g. `.data/grants/grants.json`). */
  store: string;
}

/** Grant scopes the subgraphs know how to apply. */
export const SCOPE_DIMENSIONS = ['districtCode'] as const;

function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = levenshtein(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/**
 * Validates every policy against the supergraph and the consumer registry and compiles them.
 * Returns every problem found (errors and warnings, each with file and line); the policy set is
 * returned only when there are no errors — an invalid policy is never enforced half-way.
 */
export function compilePolicies(inputs: PolicyInputs): { policySet?: PolicySet; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  const error = (location: SourceLocation, message: string, hint?: string) => problems.push({ severity: 'error', location, message, ...(hint ? { hint } : {}) });
  const warn = (location: SourceLocation, message: string, hint?: string) => problems.push({ severity: 'warning', location, message, ...(hint ? { hint } : {}) });
  const { schema, ownership, consumers } = inputs;

  const classifications = new Map<string, FieldClassification>();
  const files = new Map<string, string>();
  const sources = new Map<string, YamlSource>();
  const grants: Grant[] = [];
  const grantIds = new Map<string, SourceLocation>();
  /** Arguments the policies class, per `Type.field(arg)`: one entry per agency that does. */
  const explicitArguments = new Map<string, { agency: string; location: SourceLocation; value: ArgumentValue; defaultCompares?: boolean }[]>();

  for (const source of inputs.policies) {
    for (const syntax of source.syntaxErrors) error({ file: source.file, line: syntax.line }, `YAML: ${syntax.message}`);
    if (source.syntaxErrors.length) continue;
    const parsed = policyFileSchema.safeParse(source.value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) error(source.locate(issue.path as PropertyKey[]), `${issue.path.join('.') || 'file'}: ${issue.message}`);
      continue;
    }
    const policy = parsed.data;
    const agency = policy.agency;
    const top = source.locate(['agency']);
    if (!ownership.agencies.includes(agency)) {
      error(top, `agency "${agency}" publishes no subgraph in the supergraph`, closest(agency, ownership.agencies) ? `did you mean "${closest(agency, ownership.agencies)}"?` : `agencies: ${ownership.agencies.join(', ')}`);
      continue;
    }
    if (files.has(agency)) {
      error(top, `a second policy for "${agency}" (the first is ${files.get(agency)})`, 'one policy file per agency');
      continue;
    }
    files.set(agency, source.file);
    sources.set(agency, source);

    for (const [typeName, typeRule] of Object.entries(policy.types)) {
      const typeLocation = source.locate(['types', typeName]);
      const type = schema.getType(typeName);
      if (!type || !isObjectType(type)) {
        error(typeLocation, `unknown type "${typeName}"`, closest(typeName, Object.keys(schema.getTypeMap()).filter((n) => !n.startsWith('__'))) ? `did you mean "${closest(typeName, Object.keys(schema.getTypeMap()))}"?` : undefined);
        continue;
      }
      if (!(ownership.types.get(typeName) ?? []).includes(agency)) {
        error(typeLocation, `${agency} resolves no field of ${typeName}`, `${typeName} is resolved by ${(ownership.types.get(typeName) ?? []).join(', ') || 'no agency'}; a policy governs only its own agency's fields`);
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
          error(location, `${coordinate} is resolved by ${resolvers.join(', ') || 'no agency'}, not ${agency}`, 'a field an agency adds to another agency\'s entity belongs to the agency that adds it');
          continue;
        }
        // A field rule stands alone: it inherits nothing from the type default, so a field made
        // CONDITIONAL under an OPEN default is not open to the public by accident.
        if (rule.minCount !== undefined && !countThresholdProblem(fields[fieldName]!, coordinate, location, error)) continue;
        const classification = toClassification(agency, rule, 'field', location, coordinate, error);
        if (classification) classifications.set(`${agency}|${coordinate}`, classification);
      }
      for (const [key, rule] of Object.entries(typeRule.arguments ?? {})) {
        const compiled = compileArgumentRule(agency, type, key, rule, source.locate(['types', typeName, 'arguments', key]), inputs, error, warn);
        if (compiled) explicitArguments.set(compiled.coordinate, [...(explicitArguments.get(compiled.coordinate) ?? []), compiled.entry]);
      }
      if (typeRule.default) {
        const location = source.locate(['types', typeName, 'default']);
        if (typeRule.default.minCount !== undefined) error(location, `${typeName} (default) sets minCount`, 'set minCount on each count field (or connection field) it applies to');
        for (const fieldName of Object.keys(fields)) {
          const coordinate = `${typeName}.${fieldName}`;
          if (classifications.has(`${agency}|${coordinate}`) || typeRule.fields?.[fieldName]) continue;
          if (!(ownership.resolvers.get(coordinate) ?? []).includes(agency)) continue;
          const classification = toClassification(agency, typeRule.default, 'type-default', location, `${typeName} (default)`, error);
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

  for (const runtime of inputs.runtimeGrants ?? []) {
    const compiled = compileRuntimeGrant(runtime, inputs, classifications, argumentRules, grantIds);
    if (compiled.grant) grants.push(compiled.grant);
    for (const problem of compiled.problems) warn(problem.location, problem.severity === 'error' ? `${problem.message} — the grant is not in force` : problem.message, problem.hint);
  }

  // Secure by default: every field an agency resolves and does not class is NOT_SHARED.
  const unclassifiedByType = new Map<string, string[]>();
  for (const [coordinate, agencies] of ownership.resolvers) {
    const typeName = coordinate.slice(0, coordinate.indexOf('.'));
    if (!schema.getType(typeName)) continue; // not in the API schema (federation internals)
    const field = (schema.getType(typeName) as GraphQLObjectType).getFields()[coordinate.slice(typeName.length + 1)];
    if (!field) continue;
    for (const agency of agencies) {
      const key = `${agency}|${coordinate}`;
      if (!classifications.has(key)) {
        const file = files.get(agency) ?? `schema/policies/${agency}.yaml`;
        classifications.set(key, { agency, sharingClass: 'NOT_SHARED', level: 'L4', open: 'CLOSED', origin: 'unclassified', source: { file, line: 1 }, legalBasis: 'not classed by its agency (secure default)' });
        const list = unclassifiedByType.get(key.split('|')[0] + '|' + typeName) ?? [];
        list.push(coordinate.slice(typeName.length + 1));
        unclassifiedByType.set(key.split('|')[0] + '|' + typeName, list);
      }
      const classification = classifications.get(key)!;
      if (classification.sharingClass !== 'UNCONDITIONAL' && classification.origin !== 'unclassified' && field.type.toString().endsWith('!')) {
        warn(classification.source, `${coordinate} is non-null but ${classification.sharingClass}: a consumer denied it loses its nearest nullable parent too`, 'make the field nullable in the SDL, or class it UNCONDITIONAL');
      }
    }
  }
  for (const [key, fields] of unclassifiedByType) {
    const [agency, typeName] = key.split('|') as [string, string];
    const file = files.get(agency);
    const location = file ? { file, line: 1 } : { file: `schema/policies/${agency}.yaml`, line: 1 };
    warn(location, `${agency} resolves ${typeName}.{${fields.join(', ')}} with no sharing class: NOT_SHARED until classed`, `add them under types.${typeName} (or a default for the type)`);
  }
  refuseUnplacedArguments(argumentRules, inputs, sources, classifications, error);

  for (const grant of grants) {
    if (grant.origin === 'grant-store') continue; // checked on its own by compileRuntimeGrant
    if (grant.expiresAt <= inputs.now) warn(grant.source, `grant "${grant.id}" expired on ${grant.expires}; it no longer releases anything`, 'renew it (new expiry, approved again) or remove it');
    for (const field of grant.fields) {
      if (field.fieldName === '*') continue;
      if (field.argument) {
        const problem = argumentGrantProblem(argumentRules.rules.get(field.coordinate), grant.agency, field.coordinate);
        if (problem) (problem.severity === 'error' ? error : warn)(field.source, `grant "${grant.id}" names ${field.coordinate}: ${problem.message}`, problem.hint);
        continue;
      }
      const classification = classifications.get(`${grant.agency}|${field.coordinate}`);
      if (classification?.sharingClass === 'NOT_SHARED') {
        error(field.source, `grant "${grant.id}" releases ${field.coordinate}, which ${grant.agency} classes NOT_SHARED (${classification.legalBasis ?? 'no legal basis recorded'})`, 'NOT_SHARED data is never released; re-class it CONDITIONAL if the law allows');
      } else if (classification?.sharingClass === 'UNCONDITIONAL' && !field.mask) {
        warn(field.source, `grant "${grant.id}" names ${field.coordinate}, which is UNCONDITIONAL already`, 'drop it from the grant');
      }
    }
  }

  if (problems.some((p) => p.severity === 'error')) return { problems };

  const grantsByConsumer = new Map<string, Grant[]>();
  for (const grant of grants) grantsByConsumer.set(grant.consumer, [...(grantsByConsumer.get(grant.consumer) ?? []), grant]);
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
      classifications.get(`${agency}|${coordinate}`) ?? { agency, sharingClass: 'NOT_SHARED', level: 'L4', open: 'CLOSED', origin: 'unclassified', source: { file: files.get(agency) ?? `schema/policies/${agency}.yaml`, line: 1 } },
    grantsFor: (consumerId, coordinate) => {
      const typeName = coordinate.slice(0, coordinate.indexOf('.'));
      // `Type.*` grants the type's fields, never its arguments: an argument is granted by name.
      const wildcardApplies = !coordinate.includes('(');
      return (grantsByConsumer.get(consumerId) ?? []).filter((grant) => grant.fields.some((field) => field.coordinate === coordinate || (wildcardApplies && field.fieldName === '*' && field.typeName === typeName)));
    },
    argumentRules: argumentRules.rules,
    decisiveArguments: (fieldCoordinate) => argumentRules.decisive.get(fieldCoordinate) ?? NO_ARGUMENTS,
  };
  return { policySet, problems };
}

/**
 * Checks one grant-store grant against the policies (classifications already compiled): the same
 * rules as a policy-file grant, plus never a NOT_SHARED field. Problems are the grant's own.
 */
function compileRuntimeGrant(
  runtime: RuntimeGrantInput,
  inputs: PolicyInputs,
  classifications: ReadonlyMap<string, FieldClassification>,
  argumentRules: CompiledArguments,
  grantIds: Map<string, SourceLocation>,
): { grant?: Grant; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  const id = typeof (runtime.grant as { id?: unknown })?.id === 'string' ? (runtime.grant as { id: string }).id : '?';
  const location: SourceLocation = { file: `${runtime.store}#${id}`, line: 1 };
  const error = (_: SourceLocation, message: string, hint?: string) => problems.push({ severity: 'error', location, message, ...(hint ? { hint } : {}) });
  const warn = (_: SourceLocation, message: string, hint?: string) => problems.push({ severity: 'warning', location, message, ...(hint ? { hint } : {}) });
  const parsed = grantSchema.safeParse(runtime.grant);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) error(location, `grant ${id}: ${issue.path.join('.') || 'grant'}: ${issue.message}`);
    return { problems };
  }
  if (!inputs.ownership.agencies.includes(runtime.agency)) {
    error(location, `grant ${id} is approved by "${runtime.agency}", which publishes no subgraph`);
    return { problems };
  }
  const source: YamlSource = { file: location.file, value: null, syntaxErrors: [], locate: () => location };
  const compiled = compileGrant(parsed.data, runtime.agency, source, [], inputs, error, warn, grantIds);
  if (!compiled) return { problems };
  for (const field of compiled.fields) {
    if (field.argument) {
      const problem = argumentGrantProblem(argumentRules.rules.get(field.coordinate), runtime.agency, field.coordinate);
      if (problem) (problem.severity === 'error' ? error : warn)(location, `grant ${id} names ${field.coordinate}: ${problem.message}`, problem.hint);
      continue;
    }
    const classification = field.fieldName === '*' ? undefined : classifications.get(`${runtime.agency}|${field.coordinate}`);
    if (classification?.sharingClass === 'NOT_SHARED' || (field.fieldName !== '*' && !classification)) {
      error(location, `grant ${id} releases ${field.coordinate}, which ${runtime.agency} classes NOT_SHARED (${classification?.legalBasis ?? 'not classed: secure default'})`);
    }
  }
  if (problems.some((p) => p.severity === 'error')) return { problems };
  return { grant: { ...compiled, origin: 'grant-store' }, problems };
}

function toClassification(
  agency: string,
  rule: FieldRuleInput,
  origin: 'field' | 'type-default',
  location: SourceLocation,
  what: string,
  error: (location: SourceLocation, message: string, hint?: string) => void,
): FieldClassification | undefined {
  if (!rule.class) {
    error(location, `${what} has no sharing class`, 'class: UNCONDITIONAL | CONDITIONAL | NOT_SHARED');
    return undefined;
  }
  if (!rule.level) {
    error(location, `${what} has no level`, 'level: L1 (public) | L2 (internal) | L3 (sensitive) | L4 (sensitive personal / minors)');
    return undefined;
  }
  if (rule.class === 'NOT_SHARED' && !rule.legalBasis) {
    error(location, `${what} is NOT_SHARED without a legal basis`, 'legalBasis: the law or regulation that forbids sharing it');
    return undefined;
  }
  if (rule.open && rule.open !== 'CLOSED' && rule.class !== 'UNCONDITIONAL') {
    error(location, `${what} is ${rule.class} but open to the public (${rule.open})`, 'only UNCONDITIONAL data can be open data; drop `open` or re-class the field');
    return undefined;
  }
  return {
    agency,
    sharingClass: rule.class,
    level: rule.level,
    open: rule.open ?? 'CLOSED',
    ...(rule.legalBasis ? { legalBasis: rule.legalBasis } : {}),
    ...(rule.cacheable ? { cacheable: true } : {}),
    ...(rule.minCount !== undefined ? { minCount: rule.minCount } : {}),
    origin,
    source: location,
  };
}

function compileGrant(
  grant: GrantInput,
  agency: string,
  source: YamlSource,
  path: PropertyKey[],
  inputs: PolicyInputs,
  error: (location: SourceLocation, message: string, hint?: string) => void,
  warn: (location: SourceLocation, message: string, hint?: string) => void,
  grantIds: Map<string, SourceLocation>,
): Grant | undefined {
  const location = source.locate(path);
  const { schema, ownership, consumers } = inputs;
  let ok = true;
  if (grantIds.has(grant.id)) {
    error(source.locate([...path, 'id']), `grant id "${grant.id}" is used twice (also ${formatLocation(grantIds.get(grant.id)!)})`);
    ok = false;
  }
  grantIds.set(grant.id, location);
  const consumer = consumers.consumers.get(grant.consumer);
  if (!consumer) {
    const guess = closest(grant.consumer, consumers.consumers.keys());
    error(source.locate([...path, 'consumer']), `grant "${grant.id}" is for unknown consumer "${grant.consumer}"`, guess ? `did you mean "${guess}"?` : `register it in ${consumers.file}`);
    ok = false;
  } else {
    if (consumer.agency === agency) warn(source.locate([...path, 'consumer']), `grant "${grant.id}" is for ${agency}'s own consumer, who reads ${agency}'s data in full anyway`);
    grant.purposes.forEach((purpose, i) => {
      if (!consumer.purposes.includes(purpose)) {
        error(source.locate([...path, 'purposes', i]), `consumer "${consumer.id}" may not state purpose "${purpose}"`, `its purposes: ${consumer.purposes.join(', ') || 'none'} (${consumers.file})`);
        ok = false;
      }
    });
  }
  for (const dimension of Object.keys(grant.scope ?? {})) {
    if (!(SCOPE_DIMENSIONS as readonly string[]).includes(dimension)) {
      error(source.locate([...path, 'scope', dimension]), `unknown scope "${dimension}"`, `scopes the subgraphs apply: ${SCOPE_DIMENSIONS.join(', ')}`);
      ok = false;
    }
  }
  const fields: GrantedField[] = [];
  grant.fields.forEach((entry, i) => {
    const fieldLocation = source.locate([...path, 'fields', i]);
    const [coordinate, maskText] = typeof entry === 'string' ? [entry, undefined] : (Object.entries(entry)[0] as [string, string]);
    const match = /^([A-Za-z_]\w*)\.(\*|[A-Za-z_]\w*)(?:\(([A-Za-z_]\w*)\))?$/.exec(coordinate);
    if (!match || (match[2] === '*' && match[3])) {
      error(fieldLocation, `"${coordinate}" is not a field coordinate`, 'write Type.field, Type.* or Type.field(argument)');
      ok = false;
      return;
    }
    const [, typeName, fieldName, argumentName] = match as unknown as [string, string, string, string | undefined];
    const type = schema.getType(typeName);
    if (!type || !isObjectType(type)) {
      error(fieldLocation, `grant "${grant.id}" names unknown type "${typeName}"`);
      ok = false;
      return;
    }
    if (fieldName === '*') {
      if (!(ownership.types.get(typeName) ?? []).includes(agency)) {
        error(fieldLocation, `${agency} resolves no field of ${typeName}, so it cannot grant ${coordinate}`);
        ok = false;
      }
      if (maskText) {
        error(fieldLocation, 'a wildcard cannot carry a mask', 'mask fields one by one');
        ok = false;
      }
      fields.push({ coordinate, typeName, fieldName, source: fieldLocation });
      return;
    }
    const field = type.getFields()[fieldName];
    if (!field) {
      const guess = closest(fieldName, Object.keys(type.getFields()));
      error(fieldLocation, `grant "${grant.id}" names unknown field "${coordinate}"`, guess ? `did you mean "${typeName}.${guess}"?` : undefined);
      ok = false;
      return;
    }
    const fieldCoordinate = `${typeName}.${fieldName}`;
    if (!(ownership.resolvers.get(fieldCoordinate) ?? []).includes(agency)) {
      error(fieldLocation, `only the agency that resolves ${fieldCoordinate} (${(ownership.resolvers.get(fieldCoordinate) ?? []).join(', ')}) can grant it, not ${agency}`);
      ok = false;
      return;
    }
    if (argumentName !== undefined) {
      if (!field.args.some((a) => a.name === argumentName)) {
        const guess = closest(argumentName, field.args.map((a) => a.name));
        error(fieldLocation, `grant "${grant.id}" names unknown argument "${coordinate}"`, guess ? `did you mean "${fieldCoordinate}(${guess})"?` : `${fieldCoordinate} takes ${field.args.map((a) => a.name).join(', ') || 'no arguments'}`);
        ok = false;
        return;
      }
      if (maskText !== undefined) {
        error(fieldLocation, `${coordinate} is an argument: it compares values in clear and cannot be masked`, 'grant it plainly, or not at all');
        ok = false;
        return;
      }
      fields.push({ coordinate, typeName, fieldName, argument: argumentName, source: fieldLocation });
      return;
    }
    let mask;
    if (maskText !== undefined) {
      const parsed = parseMask(maskText);
      if ('error' in parsed) {
        error(fieldLocation, parsed.error);
        ok = false;
        return;
      }
      const problem = maskTypeProblem(parsed, field.type);
      if (problem) {
        error(fieldLocation, `${coordinate}: ${problem}`, `${coordinate} is ${String(field.type)} (${getNamedType(field.type).name})`);
        ok = false;
        return;
      }
      mask = parsed;
    }
    fields.push({ coordinate, typeName, fieldName, ...(mask ? { mask } : {}), source: fieldLocation });
  });
  if (!ok) return undefined;
  return {
    id: grant.id,
    agency,
    consumer: grant.consumer,
    purposes: grant.purposes,
    fields,
    expiresAt: grant.expires.at,
    expires: grant.expires.text,
    approvedBy: grant.approvedBy,
    ...(grant.scope ? { scope: Object.fromEntries(Object.entries(grant.scope).map(([k, v]) => [k, String(v)])) } : {}),
    origin: 'policy-file',
    source: location,
  };
}

/** Most fields: asked on the hot path for every field an operation reads, so never a new array. */
const NO_ARGUMENTS: readonly ArgumentRule[] = Object.freeze([]);

/** Every argument's compiled rule, and per field the arguments decided on their own. */
interface CompiledArguments {
  rules: ReadonlyMap<string, ArgumentRule>;
  decisive: ReadonlyMap<string, readonly ArgumentRule[]>;
  /** Arguments no policy classes of which inference left something unplaced, with what it left. */
  unplaced: ReadonlyMap<string, { typeName: string; field: GraphQLField<unknown, unknown>; parts: readonly string[] }>;
}

/**
 * Checks one `arguments:` entry of a policy (`field(argument)` under its type): the field and
 * argument exist, the agency resolves the field, and the argument is classed either by the value
 * it is over or with a class of its own.
 */
function compileArgumentRule(
  agency: string,
  type: GraphQLObjectType,
  key: string,
  rule: ArgumentRuleInput,
  location: SourceLocation,
  inputs: PolicyInputs,
  error: (location: SourceLocation, message: string, hint?: string) => void,
  warn: (location: SourceLocation, message: string, hint?: string) => void,
): { coordinate: string; entry: { agency: string; location: SourceLocation; value: ArgumentValue; defaultCompares?: boolean } } | undefined {
  const match = /^([A-Za-z_]\w*)\(([A-Za-z_]\w*)\)$/.exec(key);
  if (!match) {
    error(location, `"${key}" is not an argument`, 'write field(argument), e.g. students(healthStatus)');
    return undefined;
  }
  const [, fieldName, argumentName] = match as unknown as [string, string, string];
  const fields = type.getFields();
  const field = fields[fieldName];
  const coordinate = `${type.name}.${fieldName}(${argumentName})`;
  if (!field) {
    const guess = closest(fieldName, Object.keys(fields));
    error(location, `unknown field "${type.name}.${fieldName}"`, guess ? `did you mean "${guess}(${argumentName})"?` : undefined);
    return undefined;
  }
  const argument = field.args.find((a) => a.name === argumentName);
  if (!argument) {
    const guess = closest(argumentName, field.args.map((a) => a.name));
    error(location, `unknown argument "${coordinate}"`, guess ? `did you mean "${fieldName}(${guess})"?` : `${type.name}.${fieldName} takes ${field.args.map((a) => a.name).join(', ') || 'no arguments'}`);
    return undefined;
  }
  const resolvers = inputs.ownership.resolvers.get(`${type.name}.${fieldName}`) ?? [];
  if (!resolvers.includes(agency)) {
    error(location, `${type.name}.${fieldName} is resolved by ${resolvers.join(', ') || 'no agency'}, not ${agency}`, 'an argument is classed by the agency that resolves its field');
    return undefined;
  }
  const hasClass = rule.class !== undefined || rule.level !== undefined || rule.open !== undefined || rule.legalBasis !== undefined;
  if (rule.over !== undefined && hasClass) {
    error(location, `${coordinate} has both over and a class`, 'an argument over a value is classed like that value: drop the class, or drop over');
    return undefined;
  }
  const hasDefault = argument.defaultValue !== undefined && argument.defaultValue !== null;
  if (rule.defaultCompares !== undefined && !hasDefault) warn(location, `${coordinate} has no default value, so defaultCompares says nothing`, 'drop defaultCompares');
  const defaults = rule.defaultCompares !== undefined ? { defaultCompares: rule.defaultCompares } : {};
  if (rule.over !== undefined) {
    const over = typeof rule.over === 'string' ? [rule.over] : rule.over;
    let ok = true;
    for (const [i, target] of over.entries()) {
      const [typeName, name] = target.split('.') as [string, string];
      const overType = inputs.schema.getType(typeName);
      if (!isObjectType(overType) || !overType.getFields()[name]) {
        error(location, `${coordinate} is over unknown field "${target}"`, isObjectType(overType) && closest(name, Object.keys(overType.getFields())) ? `did you mean "${typeName}.${closest(name, Object.keys(overType.getFields()))}"?` : `over names the field(s) whose values the argument compares against (entry ${i + 1})`);
        ok = false;
      }
    }
    return ok ? { coordinate, entry: { agency, location, value: { kind: 'over', over, origin: 'policy', source: location }, ...defaults } } : undefined;
  }
  if (rule.class === undefined) {
    error(location, `${coordinate} has neither over nor a class`, 'over: Type.field (the value it compares against), or class and level like a field');
    return undefined;
  }
  const classification = toClassification(agency, { class: rule.class, ...(rule.level ? { level: rule.level } : {}), ...(rule.open ? { open: rule.open } : {}), ...(rule.legalBasis ? { legalBasis: rule.legalBasis } : {}) }, 'field', location, coordinate, error);
  return classification ? { coordinate, entry: { agency, location, value: { kind: 'classed', classifications: [classification] }, ...defaults } } : undefined;
}

/**
 * Every argument of every field of the API schema, compiled once: as the policies class it, or
 * as inferred from the schema where they are silent (`inferArgumentValue`).
 */
function compileArgumentRules(
  schema: GraphQLSchema,
  explicit: ReadonlyMap<string, readonly { agency: string; location: SourceLocation; value: ArgumentValue; defaultCompares?: boolean }[]>,
  error: (location: SourceLocation, message: string, hint?: string) => void,
): CompiledArguments {
  const rules = new Map<string, ArgumentRule>();
  const decisive = new Map<string, ArgumentRule[]>();
  const unplaced = new Map<string, { typeName: string; field: GraphQLField<unknown, unknown>; parts: readonly string[] }>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields()) as GraphQLField<unknown, unknown>[]) {
      for (const argument of field.args) {
        const coordinate = `${type.name}.${field.name}(${argument.name})`;
        const entries = explicit.get(coordinate) ?? [];
        let value: ArgumentValue;
        if (entries.length === 0) {
          const inferred = inferArgument(field, argument, type.name, schema);
          value = inferred.value;
          if (inferred.unplaced.length) unplaced.set(coordinate, { typeName: type.name, field, parts: inferred.unplaced });
        }        else if (entries.every((e) => e.value.kind === 'classed')) value = { kind: 'classed', classifications: entries.flatMap((e) => (e.value.kind === 'classed' ? e.value.classifications : [])) };
        else if (entries.every((e) => e.value.kind === 'over')) value = { kind: 'over', over: [...new Set(entries.flatMap((e) => (e.value.kind === 'over' ? e.value.over : [])))], origin: 'policy', source: entries[0]!.location };
        else {
          error(entries[1]!.location, `${coordinate} is classed by ${entries.map((e) => `${e.agency} (${e.value.kind === 'over' ? 'over a value' : 'a class'})`).join(' and ')}`, 'the agencies resolving a field class its arguments the same way');
          continue;
        }
        // Where several agencies say whether the default compares, it does if any says so.
        const said = entries.filter((e) => e.defaultCompares !== undefined);
        const defaultCompares = said.length ? said.some((e) => e.defaultCompares) : undefined;
        const rule = argumentRule(type.name, field, argument, value, defaultCompares);
        rules.set(coordinate, rule);
        if (value.kind === 'classed' || value.kind === 'over') decisive.set(rule.field, [...(decisive.get(rule.field) ?? []), rule]);
      }
    }
  }
  return { rules, decisive, unplaced };
}

/**
 * Fail closed on what inference cannot place: an argument no policy classes, on a field whose
 * records hold CONDITIONAL or NOT_SHARED data, with a part inference could not place on a field
 * (`bornAfter`, `where.bornAfter`, `StudentOrder.BORN`), could compare against that data while
 * being decided only as its field is. The policy must say what it compares against.
 */
function refuseUnplacedArguments(
  compiled: CompiledArguments,
  inputs: PolicyInputs,
  sources: ReadonlyMap<string, YamlSource>,
  classifications: ReadonlyMap<string, FieldClassification>,
  error: (location: SourceLocation, message: string, hint?: string) => void,
): void {
  const protectedFields = new Map<string, string[]>();
  const protectedOf = (record: GraphQLObjectType): string[] => {
    let found = protectedFields.get(record.name);
    if (!found) {
      found = Object.keys(record.getFields()).filter((name) =>
        (inputs.ownership.resolvers.get(`${record.name}.${name}`) ?? []).some((agency) => classifications.get(`${agency}|${record.name}.${name}`)?.sharingClass !== 'UNCONDITIONAL'),
      );
      protectedFields.set(record.name, found);
    }
    return found;
  };
  for (const [coordinate, { typeName, field, parts }] of compiled.unplaced) {
    const guarded = returnedRecords(field, inputs.schema).flatMap((record) => protectedOf(record).map((name) => `${record.name}.${name}`));
    if (!guarded.length) continue;
    const agency = (inputs.ownership.resolvers.get(`${typeName}.${field.name}`) ?? [])[0] ?? 'none';
    const source = sources.get(agency);
    const location = source ? source.locate(['types', typeName, 'arguments']) : { file: `schema/policies/${agency}.yaml`, line: 1 };
    const shown = guarded.length > 3 ? `${guarded.slice(0, 3).join(', ')} and ${guarded.length - 3} more` : guarded.join(', ');
    const argumentName = coordinate.slice(coordinate.indexOf('(') + 1, -1);
    const what = parts.length === 1 && parts[0] === argumentName ? `no field is named like ${argumentName}` : `${parts.join(', ')} ${parts.length > 1 ? 'name' : 'names'} no field`;
    const rule = compiled.rules.get(coordinate);
    const sofar = rule?.value.kind === 'over' ? ` (it is over ${rule.value.over.join(', ')} as far as the gateway can tell)` : '';
    error(
      location,
      `${coordinate} is classed by no policy and the gateway cannot tell what it compares against (${what}), yet ${typeName}.${field.name} returns protected data (${shown})`,
      `under types.${typeName}.arguments write "${field.name}(${argumentName})": { over: [Type.field, …] } naming every value it compares against or orders by${sofar}, or a class of its own ({ class: CONDITIONAL, level: L3 }; UNCONDITIONAL if it compares nothing)`,
    );
  }
}

/** Whether a grant may name this argument: only an argument its agency classes CONDITIONAL itself. */
function argumentGrantProblem(rule: ArgumentRule | undefined, agency: string, coordinate: string): { severity: Severity; message: string; hint?: string } | undefined {
  if (!rule) return { severity: 'error', message: `no argument ${coordinate} in the supergraph` };
  switch (rule.value.kind) {
    case 'over':
      return { severity: 'error', message: `it compares against ${rule.value.over.join(', ')} and is released with ${rule.value.over.length > 1 ? 'them' : 'it'}`, hint: `grant ${rule.value.over.join(', ')} instead` };
    case 'field':
    case 'exempt':
      return { severity: 'error', message: `it has no class of its own (it takes the class of ${rule.field})`, hint: `grant ${rule.field}, or class the argument under arguments: in the policy` };
    case 'classed': {
      const classification = rule.value.classifications.find((c) => c.agency === agency);
      if (!classification) return { severity: 'error', message: `${agency} does not class it` };
      if (classification.sharingClass === 'NOT_SHARED') return { severity: 'error', message: `${agency} classes it NOT_SHARED (${classification.legalBasis ?? 'no legal basis recorded'})`, hint: 'NOT_SHARED data is never released' };
      if (classification.sharingClass === 'UNCONDITIONAL') return { severity: 'warning', message: 'it is UNCONDITIONAL already', hint: 'drop it from the grant' };
      return undefined;
    }
    default: {
      const unreachable: never = rule.value;
      throw new Error(`unknown argument value ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * A minimum cell size needs a count it can withhold: a nullable `Int` field, or a nullable field
 * returning a connection (then its `totalCount`). A non-null count could only be withheld by
 * nulling its parent — a whole school for one small figure — so it is refused. True when fine.
 */
function countThresholdProblem(field: GraphQLField<unknown, unknown>, coordinate: string, location: SourceLocation, error: (location: SourceLocation, message: string, hint?: string) => void): boolean {
  const named = getNamedType(field.type);
  const connection = connectionNodeType(named);
  if (named.name !== 'Int' && !(connection && isObjectType(named) && named.getFields().totalCount)) {
    error(location, `${coordinate} sets minCount but is neither a count (Int) nor a connection with totalCount`, 'set minCount on a count field, or on a field returning a connection (it then applies to its totalCount)');
    return false;
  }
  if (isNonNullType(field.type)) {
    error(location, `${coordinate} sets minCount but is non-null: withholding a small count would null its parent`, 'make the field nullable in its subgraph\'s SDL first');
    return false;
  }
  return true;
}
