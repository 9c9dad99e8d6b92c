import {
  Kind,
  parse,
  type ConstDirectiveNode,
  type DocumentNode,
  type ObjectTypeDefinitionNode,
  type ObjectTypeExtensionNode,
} from 'graphql';

/**
 * Which agency resolves which field, read from the supergraph's join directives: a field with
 * `@join__field(graph: X)` entries is resolved by those graphs (except where marked external);
 * a field without any is resolved by every graph that defines its type (`@join__type`).
 * Policies govern exactly the fields their own agency resolves.
 */
export interface FieldOwnership {
  /** `Type.field` → the agencies (subgraph names) that resolve it. */
  resolvers: ReadonlyMap<string, readonly string[]>;
  /** Object type → the agencies that define it. */
  types: ReadonlyMap<string, readonly string[]>;
  /** Object type → key fields (`@key`), per agency. */
  keys: ReadonlyMap<string, ReadonlySet<string>>;
  agencies: readonly string[];
}

const FEDERATION_TYPES = /^(join__|link__|_Service$|_Entity$|_Any$)/;

function argument(directive: ConstDirectiveNode, name: string): string | boolean | undefined {
  const arg = directive.arguments?.find((a) => a.name.value === name);
  if (!arg) return undefined;
  if (arg.value.kind === Kind.ENUM || arg.value.kind === Kind.STRING) return arg.value.value;
  if (arg.value.kind === Kind.BOOLEAN) return arg.value.value;
  return undefined;
}

export function fieldOwnership(supergraphSdl: string | DocumentNode): FieldOwnership {
  const document = typeof supergraphSdl === 'string' ? parse(supergraphSdl) : supergraphSdl;
  const graphNames = new Map<string, string>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === 'join__Graph') {
      for (const value of definition.values ?? []) {
        const directive = value.directives?.find((d) => d.name.value === 'join__graph');
        const name = directive && argument(directive, 'name');
        graphNames.set(value.name.value, typeof name === 'string' ? name : value.name.value.toLowerCase());
      }
    }
  }
  const resolvers = new Map<string, string[]>();
  const types = new Map<string, string[]>();
  const keys = new Map<string, Set<string>>();
  const objects = document.definitions.filter(
    (d): d is ObjectTypeDefinitionNode | ObjectTypeExtensionNode =>
      d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION,
  );
  for (const type of objects) {
    const typeName = type.name.value;
    if (FEDERATION_TYPES.test(typeName)) continue;
    const typeGraphs: string[] = [];
    for (const directive of type.directives ?? []) {
      if (directive.name.value !== 'join__type') continue;
      const graph = graphNames.get(String(argument(directive, 'graph')));
      if (graph && !typeGraphs.includes(graph)) typeGraphs.push(graph);
      const key = argument(directive, 'key');
      if (typeof key === 'string') {
        const fields = keys.get(typeName) ?? new Set<string>();
        for (const field of key.split(/\s+/).filter((f) => /^\w+$/.test(f))) fields.add(field);
        keys.set(typeName, fields);
      }
    }
    types.set(typeName, typeGraphs);
    for (const field of type.fields ?? []) {
      const joins = (field.directives ?? []).filter((d) => d.name.value === 'join__field');
      const graphs = joins.length
        ? joins
            .filter((d) => argument(d, 'external') !== true && argument(d, 'graph') !== undefined)
            .map((d) => graphNames.get(String(argument(d, 'graph')))!)
        : typeGraphs;
      resolvers.set(`${typeName}.${field.name.value}`, [...new Set(graphs)].sort());
    }
  }
  return { resolvers, types, keys, agencies: [...graphNames.values()].sort() };
}
