import {
  getNamedType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

/**
 * The structural half of the oracle, for what no canary can mark (enums, booleans) and as a second
 * look at everything else: walking the answer along the operation, every field whose coordinate
 * the view may not read must be null (or absent). Object types only — the supergraph has no
 * interfaces or unions; a fragment on another type than its parent is skipped.
 */
export interface WithheldButPresent {
  coordinate: string;
  path: string;
  value: unknown;
}

export function withheldButPresent(
  schema: GraphQLSchema,
  document: DocumentNode,
  data: unknown,
  isWithheld: (coordinate: string) => boolean,
): WithheldButPresent[] {
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION || data === null || typeof data !== 'object')
    return [];
  const root =
    operation.operation === 'mutation'
      ? schema.getMutationType()
      : operation.operation === 'subscription'
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  if (!root) return [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const found: WithheldButPresent[] = [];

  const walk = (
    type: GraphQLObjectType,
    selectionSet: SelectionSetNode,
    value: Record<string, unknown>,
    path: string,
    depth: number,
  ) => {
    if (depth > 32) return;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT || selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
        if (!fragment || (fragment.typeCondition && fragment.typeCondition.name.value !== type.name)) continue;
        walk(type, fragment.selectionSet, value, path, depth + 1);
        continue;
      }
      const name = selection.name.value;
      if (name.startsWith('__')) continue;
      const field = type.getFields()[name];
      const key = selection.alias?.value ?? name;
      const item = value[key];
      if (!field || item === undefined || item === null) continue;
      const coordinate = `${type.name}.${name}`;
      const here = path ? `${path}.${key}` : key;
      if (isWithheld(coordinate)) {
        found.push({ coordinate, path: here, value: item });
        continue;
      }
      const named = getNamedType(field.type);
      if (!selection.selectionSet || !isObjectType(named)) continue;
      const visit = (element: unknown, at: string): void => {
        if (Array.isArray(element)) element.forEach((inner, index) => visit(inner, `${at}.${index}`));
        else if (element && typeof element === 'object')
          walk(named, selection.selectionSet!, element as Record<string, unknown>, at, depth + 1);
      };
      visit(item, here);
    }
  };
  walk(root, operation.selectionSet, data as Record<string, unknown>, '', 0);
  return found;
}
