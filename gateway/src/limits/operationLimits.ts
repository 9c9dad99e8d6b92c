import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

/** Bounds on the shape of one operation, checked before it is planned. */
export interface OperationLimits {
  /** Nesting of fields: `{ a { b } }` is 2. */
  maxDepth: number;
  maxAliases: number;
  maxRootFields: number;
  /** Fields in the operation with every fragment spread counted where it is used. */
  maxFields: number;
}

export const DEFAULT_OPERATION_LIMITS: OperationLimits = { maxDepth: 15, maxAliases: 30, maxRootFields: 20, maxFields: 2000 };

export type LimitCode = 'OPERATION_TOO_DEEP' | 'TOO_MANY_ALIASES' | 'TOO_MANY_ROOT_FIELDS' | 'TOO_MANY_FIELDS';

export interface LimitBreach {
  code: LimitCode;
  limit: number;
  actual: number;
  message: string;
}

interface Shape {
  depth: number;
  aliases: number;
  fields: number;
}

/**
 * The first limit an operation breaks, or none. Pure. Fragments are measured once each and
 * counted at every use, so a document that multiplies fields through nested spreads is measured
 * without being expanded. Introspection fields (`__schema`, `__type`) are left out: introspection
 * is answered from the consumer's own schema, not planned.
 */
export function checkOperationLimits(document: DocumentNode, operation: OperationDefinitionNode, limits: OperationLimits): LimitBreach | undefined {
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const measured = new Map<string, Shape>();
  const measure = (selectionSet: SelectionSetNode, visiting: ReadonlySet<string>): Shape => {
    let depth = 0;
    let aliases = 0;
    let fields = 0;
    for (const selection of selectionSet.selections) {
      let inner: Shape;
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === '__schema' || selection.name.value === '__type') continue;
        const below = selection.selectionSet ? measure(selection.selectionSet, visiting) : { depth: 0, aliases: 0, fields: 0 };
        inner = { depth: below.depth + 1, aliases: below.aliases + (selection.alias ? 1 : 0), fields: below.fields + 1 };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = measure(selection.selectionSet, visiting);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || visiting.has(name)) continue; // validation refuses cycles; never loop here
        let shape = measured.get(name);
        if (!shape) measured.set(name, (shape = measure(fragment.selectionSet, new Set([...visiting, name]))));
        inner = shape;
      }
      depth = Math.max(depth, inner.depth);
      aliases += inner.aliases;
      fields += inner.fields;
    }
    return { depth, aliases, fields };
  };
  const shape = measure(operation.selectionSet, new Set());
  const roots = rootFieldCount(operation.selectionSet, fragments, new Set());
  const checks: [LimitCode, number, number, string][] = [
    ['OPERATION_TOO_DEEP', limits.maxDepth, shape.depth, 'fields nested'],
    ['TOO_MANY_ROOT_FIELDS', limits.maxRootFields, roots, 'root fields'],
    ['TOO_MANY_ALIASES', limits.maxAliases, shape.aliases, 'aliases'],
    ['TOO_MANY_FIELDS', limits.maxFields, shape.fields, 'fields (fragments counted where used)'],
  ];
  for (const [code, limit, actual, what] of checks) {
    if (actual > limit) return { code, limit, actual, message: `The operation has ${actual} ${what}; this hub accepts at most ${limit}.` };
  }
  return undefined;
}

function rootFieldCount(selectionSet: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, visiting: ReadonlySet<string>): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) count += selection.name.value === '__schema' || selection.name.value === '__type' ? 0 : 1;
    else if (selection.kind === Kind.INLINE_FRAGMENT) count += rootFieldCount(selection.selectionSet, fragments, visiting);
    else {
      const fragment = fragments.get(selection.name.value);
      if (fragment && !visiting.has(fragment.name.value)) count += rootFieldCount(fragment.selectionSet, fragments, new Set([...visiting, fragment.name.value]));
    }
  }
  return count;
}
