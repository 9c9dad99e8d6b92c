import { isObjectType, type GraphQLField, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { argumentRule, inferArgument, returnedRecords } from './argumentValues';
import type { ArgumentRuleInput } from './model';
import type { ArgumentRule, ArgumentValue, FieldClassification } from './policySet';
import type { SourceLocation, YamlSource } from '../formats';
import { closest } from './closestName';
import type { PolicyInputs, Severity } from './policyInputs';
import { toClassification } from './fieldClassification';

/** Most fields: asked on the hot path for every field an operation reads, so never a new array. */
export const NO_ARGUMENTS: readonly ArgumentRule[] = Object.freeze([]);

/** Every argument's compiled rule, and per field the arguments decided on their own. */
export interface CompiledArguments {
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
export function compileArgumentRule(
  agency: string,
  type: GraphQLObjectType,
  key: string,
  rule: ArgumentRuleInput,
  location: SourceLocation,
  inputs: PolicyInputs,
  error: (location: SourceLocation, message: string, hint?: string) => void,
  warn: (location: SourceLocation, message: string, hint?: string) => void,
):
  | {
      coordinate: string;
      entry: { agency: string; location: SourceLocation; value: ArgumentValue; defaultCompares?: boolean };
    }
  | undefined {
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
    error(
      location,
      `unknown field "${type.name}.${fieldName}"`,
      guess ? `did you mean "${guess}(${argumentName})"?` : undefined,
    );
    return undefined;
  }
  const argument = field.args.find((a) => a.name === argumentName);
  if (!argument) {
    const guess = closest(
      argumentName,
      field.args.map((a) => a.name),
    );
    error(
      location,
      `unknown argument "${coordinate}"`,
      guess
        ? `did you mean "${fieldName}(${guess})"?`
        : `${type.name}.${fieldName} takes ${field.args.map((a) => a.name).join(', ') || 'no arguments'}`,
    );
    return undefined;
  }
  const resolvers = inputs.ownership.resolvers.get(`${type.name}.${fieldName}`) ?? [];
  if (!resolvers.includes(agency)) {
    error(
      location,
      `${type.name}.${fieldName} is resolved by ${resolvers.join(', ') || 'no agency'}, not ${agency}`,
      'an argument is classed by the agency that resolves its field',
    );
    return undefined;
  }
  const hasClass =
    rule.class !== undefined || rule.level !== undefined || rule.open !== undefined || rule.legalBasis !== undefined;
  if (rule.over !== undefined && hasClass) {
    error(
      location,
      `${coordinate} has both over and a class`,
      'an argument over a value is classed like that value: drop the class, or drop over',
    );
    return undefined;
  }
  const hasDefault = argument.defaultValue !== undefined && argument.defaultValue !== null;
  if (rule.defaultCompares !== undefined && !hasDefault)
    warn(location, `${coordinate} has no default value, so defaultCompares says nothing`, 'drop defaultCompares');
  const defaults = rule.defaultCompares !== undefined ? { defaultCompares: rule.defaultCompares } : {};
  if (rule.over !== undefined) {
    const over = typeof rule.over === 'string' ? [rule.over] : rule.over;
    let ok = true;
    for (const [i, target] of over.entries()) {
      const [typeName, name] = target.split('.') as [string, string];
      const overType = inputs.schema.getType(typeName);
      if (!isObjectType(overType) || !overType.getFields()[name]) {
        error(
          location,
          `${coordinate} is over unknown field "${target}"`,
          isObjectType(overType) && closest(name, Object.keys(overType.getFields()))
            ? `did you mean "${typeName}.${closest(name, Object.keys(overType.getFields()))}"?`
            : `over names the field(s) whose values the argument compares against (entry ${i + 1})`,
        );
        ok = false;
      }
    }
    return ok
      ? {
          coordinate,
          entry: { agency, location, value: { kind: 'over', over, origin: 'policy', source: location }, ...defaults },
        }
      : undefined;
  }
  if (rule.class === undefined) {
    error(
      location,
      `${coordinate} has neither over nor a class`,
      'over: Type.field (the value it compares against), or class and level like a field',
    );
    return undefined;
  }
  const classification = toClassification(
    agency,
    {
      class: rule.class,
      ...(rule.level ? { level: rule.level } : {}),
      ...(rule.open ? { open: rule.open } : {}),
      ...(rule.legalBasis ? { legalBasis: rule.legalBasis } : {}),
    },
    'field',
    location,
    coordinate,
    error,
  );
  return classification
    ? {
        coordinate,
        entry: { agency, location, value: { kind: 'classed', classifications: [classification] }, ...defaults },
      }
    : undefined;
}

/**
 * Every argument of every field of the API schema, compiled once: as the policies class it, or
 * as inferred from the schema where they are silent (`inferArgumentValue`).
 */
export function compileArgumentRules(
  schema: GraphQLSchema,
  explicit: ReadonlyMap<
    string,
    readonly { agency: string; location: SourceLocation; value: ArgumentValue; defaultCompares?: boolean }[]
  >,
  error: (location: SourceLocation, message: string, hint?: string) => void,
): CompiledArguments {
  const rules = new Map<string, ArgumentRule>();
  const decisive = new Map<string, ArgumentRule[]>();
  const unplaced = new Map<
    string,
    { typeName: string; field: GraphQLField<unknown, unknown>; parts: readonly string[] }
  >();
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
          if (inferred.unplaced.length)
            unplaced.set(coordinate, { typeName: type.name, field, parts: inferred.unplaced });
        } else if (entries.every((e) => e.value.kind === 'classed'))
          value = {
            kind: 'classed',
            classifications: entries.flatMap((e) => (e.value.kind === 'classed' ? e.value.classifications : [])),
          };
        else if (entries.every((e) => e.value.kind === 'over'))
          value = {
            kind: 'over',
            over: [...new Set(entries.flatMap((e) => (e.value.kind === 'over' ? e.value.over : [])))],
            origin: 'policy',
            source: entries[0]!.location,
          };
        else {
          error(
            entries[1]!.location,
            `${coordinate} is classed by ${entries.map((e) => `${e.agency} (${e.value.kind === 'over' ? 'over a value' : 'a class'})`).join(' and ')}`,
            'the agencies resolving a field class its arguments the same way',
          );
          continue;
        }
        // Where several agencies say whether the default compares, it does if any says so.
        const said = entries.filter((e) => e.defaultCompares !== undefined);
        const defaultCompares = said.length ? said.some((e) => e.defaultCompares) : undefined;
        const rule = argumentRule(type.name, field, argument, value, defaultCompares);
        rules.set(coordinate, rule);
        if (value.kind === 'classed' || value.kind === 'over')
          decisive.set(rule.field, [...(decisive.get(rule.field) ?? []), rule]);
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
export function refuseUnplacedArguments(
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
        (inputs.ownership.resolvers.get(`${record.name}.${name}`) ?? []).some(
          (agency) => classifications.get(`${agency}|${record.name}.${name}`)?.sharingClass !== 'UNCONDITIONAL',
        ),
      );
      protectedFields.set(record.name, found);
    }
    return found;
  };
  const mutationType = inputs.schema.getMutationType()?.name;
  for (const [coordinate, { typeName, field, parts }] of compiled.unplaced) {
    // A mutation's arguments are the values it writes, not questions about data: who may call it
    // is the mutation field's own class (owner-only by default), so they are not refused here.
    if (typeName === mutationType) continue;
    const guarded = returnedRecords(field, inputs.schema).flatMap((record) =>
      protectedOf(record).map((name) => `${record.name}.${name}`),
    );
    if (!guarded.length) continue;
    const agency = (inputs.ownership.resolvers.get(`${typeName}.${field.name}`) ?? [])[0] ?? 'none';
    const source = sources.get(agency);
    const location = source
      ? source.locate(['types', typeName, 'arguments'])
      : { file: `schema/policies/${agency}.yaml`, line: 1 };
    const shown =
      guarded.length > 3 ? `${guarded.slice(0, 3).join(', ')} and ${guarded.length - 3} more` : guarded.join(', ');
    const argumentName = coordinate.slice(coordinate.indexOf('(') + 1, -1);
    const what =
      parts.length === 1 && parts[0] === argumentName
        ? `no field is named like ${argumentName}`
        : `${parts.join(', ')} ${parts.length > 1 ? 'name' : 'names'} no field`;
    const rule = compiled.rules.get(coordinate);
    const sofar =
      rule?.value.kind === 'over' ? ` (it is over ${rule.value.over.join(', ')} as far as the gateway can tell)` : '';
    error(
      location,
      `${coordinate} is classed by no policy and the gateway cannot tell what it compares against (${what}), yet ${typeName}.${field.name} returns protected data (${shown})`,
      `under types.${typeName}.arguments write "${field.name}(${argumentName})": { over: [Type.field, …] } naming every value it compares against or orders by${sofar}, or a class of its own ({ class: CONDITIONAL, level: L3 }; UNCONDITIONAL if it compares nothing)`,
    );
  }
}

/** Whether a grant may name this argument: only an argument its agency classes CONDITIONAL itself. */
export function argumentGrantProblem(
  rule: ArgumentRule | undefined,
  agency: string,
  coordinate: string,
): { severity: Severity; message: string; hint?: string } | undefined {
  if (!rule) return { severity: 'error', message: `no argument ${coordinate} in the supergraph` };
  switch (rule.value.kind) {
    case 'over':
      return {
        severity: 'error',
        message: `it compares against ${rule.value.over.join(', ')} and is released with ${rule.value.over.length > 1 ? 'them' : 'it'}`,
        hint: `grant ${rule.value.over.join(', ')} instead`,
      };
    case 'field':
    case 'exempt':
      return {
        severity: 'error',
        message: `it has no class of its own (it takes the class of ${rule.field})`,
        hint: `grant ${rule.field}, or class the argument under arguments: in the policy`,
      };
    case 'classed': {
      const classification = rule.value.classifications.find((c) => c.agency === agency);
      if (!classification) return { severity: 'error', message: `${agency} does not class it` };
      if (classification.sharingClass === 'NOT_SHARED')
        return {
          severity: 'error',
          message: `${agency} classes it NOT_SHARED (${classification.legalBasis ?? 'no legal basis recorded'})`,
          hint: 'NOT_SHARED data is never released',
        };
      if (classification.sharingClass === 'UNCONDITIONAL')
        return { severity: 'warning', message: 'it is UNCONDITIONAL already', hint: 'drop it from the grant' };
      return undefined;
    }
    default: {
      const unreachable: never = rule.value;
      throw new Error(`unknown argument value ${JSON.stringify(unreachable)}`);
    }
  }
}
