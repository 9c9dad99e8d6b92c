import {
  buildASTSchema,
  getNamedType,
  isObjectType,
  Kind,
  parse,
  printSchema,
  type DefinitionNode,
  GraphQLSchema,
  type FieldDefinitionNode,
  type ObjectTypeDefinitionNode,
} from 'graphql';
import type { Identity } from '../consumers';
import { decideArgument, decideField, type PolicySet } from '../policy';

export interface ConsumerSchema {
  schema: GraphQLSchema;
  validUntil: number;
}

/** The field a schema keeps when a consumer may read nothing at all, so it is still a valid schema. */
export const NOTHING_READABLE_FIELD = '_noReadableFields';

/**
 * The schema one consumer sees in introspection: only the fields it may read (in clear or
 * masked), without the arguments it may not give (a field that cannot be asked without such an
 * argument goes too). A type left without fields disappears with every field that returns it; if nothing
 * readable remains at all, the query type keeps one placeholder field so the schema stays valid.
 */
export function buildConsumerSchema(policySet: PolicySet, identity: Identity, now: number): ConsumerSchema {
  const api = policySet.schema;
  let validUntil = Infinity;
  const readable = new Set<string>();
  /** Masked fields, with how: their descriptions say so, so an analyst reads a pseudonym as one. */
  const masked = new Map<string, string>();
  /** Arguments this consumer may not give: hidden from their fields (`Type.field(arg)`). */
  const hiddenArguments = new Set<string>();
  /** Counts with a minimum cell size, by coordinate: their descriptions say so. */
  const thresholds = new Map<string, number>();
  for (const type of Object.values(api.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const decision = decideField(policySet, identity.consumer, identity.purpose, coordinate, now);
      validUntil = Math.min(validUntil, decision.validUntil);
      if (decision.effect === 'deny') continue;
      let usable = true;
      for (const rule of policySet.decisiveArguments(coordinate)) {
        const argument = decideArgument(policySet, identity.consumer, identity.purpose, rule.coordinate, now);
        validUntil = Math.min(validUntil, argument.validUntil);
        if (argument.effect !== 'deny') continue;
        // A field that cannot be asked without the argument (required, or its default compares) goes with it.
        if (rule.required || rule.readsDefault) usable = false;
        else hiddenArguments.add(rule.coordinate);
      }
      if (!usable) continue;
      readable.add(coordinate);
      if (decision.effect === 'mask')
        masked.set(
          coordinate,
          decision.mask.kind === 'round' ? `rounded to ${decision.mask.step}` : `masked (${decision.mask.kind})`,
        );
      if (decision.minCount !== undefined) thresholds.set(coordinate, decision.minCount);
    }
  }
  // Drop fields until stable: a field whose type lost every field goes too.
  const objectTypes = new Set(
    Object.values(api.getTypeMap())
      .filter((t) => isObjectType(t) && !t.name.startsWith('__'))
      .map((t) => t.name),
  );
  const remaining = new Map<string, Set<string>>();
  for (const coordinate of readable) {
    const [typeName, fieldName] = coordinate.split('.') as [string, string];
    remaining.set(typeName, (remaining.get(typeName) ?? new Set()).add(fieldName));
  }
  for (let changed = true; changed;) {
    changed = false;
    for (const [typeName, fields] of remaining) {
      const type = api.getType(typeName);
      if (!isObjectType(type)) continue;
      for (const fieldName of [...fields]) {
        const target = getNamedType(type.getFields()[fieldName]!.type).name;
        if (objectTypes.has(target) && !remaining.get(target)?.size) {
          fields.delete(fieldName);
          changed = true;
        }
      }
    }
  }
  const queryName = api.getQueryType()?.name ?? 'Query';
  const document = parse(printSchema(api));
  const definitions: DefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) {
      definitions.push(definition);
      continue;
    }
    const keep = remaining.get(definition.name.value);
    const fields = (definition.fields ?? [])
      .filter((field) => keep?.has(field.name.value))
      .map((field): FieldDefinitionNode => {
        const coordinate = `${definition.name.value}.${field.name.value}`;
        const args = field.arguments?.filter(
          (argument) => !hiddenArguments.has(`${coordinate}(${argument.name.value})`),
        );
        const how = masked.get(coordinate);
        const minCount = thresholds.get(coordinate);
        const notes = [
          ...(how ? [`For you, this value is ${how} by its agency's policy.`] : []),
          ...(minCount !== undefined
            ? [`A count below ${minCount} (other than 0) is withheld by its agency's policy (SMALL_COUNT_WITHHELD).`]
            : []),
        ];
        const withArguments = args && args.length !== field.arguments?.length ? { ...field, arguments: args } : field;
        if (!notes.length) return withArguments;
        const note = notes.join(' ');
        return {
          ...withArguments,
          description: { kind: Kind.STRING, value: field.description ? `${field.description.value}\n\n${note}` : note },
        };
      });
    if (definition.name.value === queryName && fields.length === 0) fields.push(placeholderField());
    if (fields.length === 0) continue;
    definitions.push({ ...definition, fields } as ObjectTypeDefinitionNode);
  }
  const schema = buildASTSchema({ kind: Kind.DOCUMENT, definitions }, { assumeValid: false });
  return { schema: pruneUnreachable(schema), validUntil };
}

function placeholderField(): FieldDefinitionNode {
  return {
    kind: Kind.FIELD_DEFINITION,
    description: { kind: Kind.STRING, value: 'Present only because this consumer may read no field of the graph.' },
    name: { kind: Kind.NAME, value: NOTHING_READABLE_FIELD },
    type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'Boolean' } },
  };
}

/** Types no longer reachable from the root (e.g. enums only hidden fields used) are dropped. */
function pruneUnreachable(schema: GraphQLSchema): GraphQLSchema {
  const config = schema.toConfig();
  // GraphQLSchema collects reachable types from the roots when `types` is not given.
  return new GraphQLSchema({ ...config, types: [] });
}
