import { getNamedType, isObjectType } from 'graphql';
import { maskTypeProblem, parseMask } from '../masking';
import { grantSchema, type GrantInput } from './model';
import type { FieldClassification, Grant, GrantedField } from './policySet';
import { formatLocation, type SourceLocation, type YamlSource } from '../formats';
import { closest } from './closestName';
import { SCOPE_DIMENSIONS, type PolicyInputs, type PolicyProblem, type RuntimeGrantInput } from './policyInputs';
import { argumentGrantProblem, type CompiledArguments } from './compileArgumentRules';
import { compileCasePattern } from './casePattern';

/**
 * Checks one grant-store grant against the policies (classifications already compiled): the same
 * rules as a policy-file grant, plus never a NOT_SHARED field. Problems are the grant's own.
 */
export function compileRuntimeGrant(
  runtime: RuntimeGrantInput,
  inputs: PolicyInputs,
  classifications: ReadonlyMap<string, FieldClassification>,
  argumentRules: CompiledArguments,
  grantIds: Map<string, SourceLocation>,
): { grant?: Grant; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  const id = typeof (runtime.grant as { id?: unknown })?.id === 'string' ? (runtime.grant as { id: string }).id : '?';
  const location: SourceLocation = { file: `${runtime.store}#${id}`, line: 1 };
  const error = (_: SourceLocation, message: string, hint?: string) =>
    problems.push({ severity: 'error', location, message, ...(hint ? { hint } : {}) });
  const warn = (_: SourceLocation, message: string, hint?: string) =>
    problems.push({ severity: 'warning', location, message, ...(hint ? { hint } : {}) });
  const parsed = grantSchema.safeParse(runtime.grant);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      error(location, `grant ${id}: ${issue.path.join('.') || 'grant'}: ${issue.message}`);
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
      if (problem)
        (problem.severity === 'error' ? error : warn)(
          location,
          `grant ${id} names ${field.coordinate}: ${problem.message}`,
          problem.hint,
        );
      continue;
    }
    const classification =
      field.fieldName === '*' ? undefined : classifications.get(`${runtime.agency}|${field.coordinate}`);
    if (classification?.sharingClass === 'NOT_SHARED' || (field.fieldName !== '*' && !classification)) {
      error(
        location,
        `grant ${id} releases ${field.coordinate}, which ${runtime.agency} classes NOT_SHARED (${classification?.legalBasis ?? 'not classed: secure default'})`,
      );
    }
  }
  if (problems.some((p) => p.severity === 'error')) return { problems };
  return { grant: { ...compiled, origin: 'grant-store' }, problems };
}

export function compileGrant(
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
    error(
      source.locate([...path, 'id']),
      `grant id "${grant.id}" is used twice (also ${formatLocation(grantIds.get(grant.id)!)})`,
    );
    ok = false;
  }
  grantIds.set(grant.id, location);
  const consumer = consumers.consumers.get(grant.consumer);
  if (!consumer) {
    const guess = closest(grant.consumer, consumers.consumers.keys());
    error(
      source.locate([...path, 'consumer']),
      `grant "${grant.id}" is for unknown consumer "${grant.consumer}"`,
      guess ? `did you mean "${guess}"?` : `register it in ${consumers.file}`,
    );
    ok = false;
  } else {
    if (consumer.agency === agency)
      warn(
        source.locate([...path, 'consumer']),
        `grant "${grant.id}" is for ${agency}'s own consumer, who reads ${agency}'s data in full anyway`,
      );
    grant.purposes.forEach((purpose, i) => {
      if (!consumer.purposes.includes(purpose)) {
        error(
          source.locate([...path, 'purposes', i]),
          `consumer "${consumer.id}" may not state purpose "${purpose}"`,
          `its purposes: ${consumer.purposes.join(', ') || 'none'} (${consumers.file})`,
        );
        ok = false;
      }
    });
  }
  for (const dimension of Object.keys(grant.scope ?? {})) {
    if (!(SCOPE_DIMENSIONS as readonly string[]).includes(dimension)) {
      error(
        source.locate([...path, 'scope', dimension]),
        `unknown scope "${dimension}"`,
        `scopes the subgraphs apply: ${SCOPE_DIMENSIONS.join(', ')}`,
      );
      ok = false;
    }
  }
  const requiresCase = caseRequirement(grant, (message, hint) => {
    error(source.locate([...path, grant.casePattern !== undefined ? 'casePattern' : 'requireCase']), message, hint);
    ok = false;
  });
  const fields: GrantedField[] = [];
  grant.fields.forEach((entry, i) => {
    const fieldLocation = source.locate([...path, 'fields', i]);
    const [coordinate, maskText] =
      typeof entry === 'string' ? [entry, undefined] : (Object.entries(entry)[0] as [string, string]);
    const match = /^([A-Za-z_]\w*)\.(\*|[A-Za-z_]\w*)(?:\(([A-Za-z_]\w*)\))?$/.exec(coordinate);
    if (!match || (match[2] === '*' && match[3])) {
      error(
        fieldLocation,
        `"${coordinate}" is not a field coordinate`,
        'write Type.field, Type.* or Type.field(argument)',
      );
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
      error(
        fieldLocation,
        `grant "${grant.id}" names unknown field "${coordinate}"`,
        guess ? `did you mean "${typeName}.${guess}"?` : undefined,
      );
      ok = false;
      return;
    }
    const fieldCoordinate = `${typeName}.${fieldName}`;
    if (!(ownership.resolvers.get(fieldCoordinate) ?? []).includes(agency)) {
      error(
        fieldLocation,
        `only the agency that resolves ${fieldCoordinate} (${(ownership.resolvers.get(fieldCoordinate) ?? []).join(', ')}) can grant it, not ${agency}`,
      );
      ok = false;
      return;
    }
    if (argumentName !== undefined) {
      if (!field.args.some((a) => a.name === argumentName)) {
        const guess = closest(
          argumentName,
          field.args.map((a) => a.name),
        );
        error(
          fieldLocation,
          `grant "${grant.id}" names unknown argument "${coordinate}"`,
          guess
            ? `did you mean "${fieldCoordinate}(${guess})"?`
            : `${fieldCoordinate} takes ${field.args.map((a) => a.name).join(', ') || 'no arguments'}`,
        );
        ok = false;
        return;
      }
      if (maskText !== undefined) {
        error(
          fieldLocation,
          `${coordinate} is an argument: it compares values in clear and cannot be masked`,
          'grant it plainly, or not at all',
        );
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
        error(
          fieldLocation,
          `${coordinate}: ${problem}`,
          `${coordinate} is ${String(field.type)} (${getNamedType(field.type).name})`,
        );
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
    ...(requiresCase ? { requiresCase } : {}),
    ...(grant.retainDays !== undefined ? { retainDays: grant.retainDays } : {}),
    origin: 'policy-file',
    source: location,
  };
}

/**
 * A grant's case binding: none, any well-formed case reference (`requireCase: true`), or one in
 * the agency's format (`casePattern`). A pattern that does not compile, or one without
 * `requireCase: true`, is the grant's error.
 */
function caseRequirement(
  grant: GrantInput,
  problem: (message: string, hint?: string) => void,
): Grant['requiresCase'] | undefined {
  if (grant.casePattern !== undefined && grant.requireCase !== true) {
    problem(`grant "${grant.id}" has a casePattern but does not require a case`, 'add requireCase: true');
    return undefined;
  }
  if (!grant.requireCase) return undefined;
  if (grant.casePattern === undefined) return {};
  const compiled = compileCasePattern(grant.casePattern);
  if (!compiled.ok) {
    problem(
      `grant "${grant.id}": ${compiled.error}`,
      'literals, ., [classes], \\d \\w \\s, groups with |, and ? * + {n} {n,} {n,m}; anchored: the whole reference must match',
    );
    return undefined;
  }
  return { format: compiled.matcher };
}
