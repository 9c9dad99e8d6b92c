import type { OperationLimits } from '../config';
import {
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { fragmentsOf } from '../selections';

export const DEFAULT_OPERATION_LIMITS: OperationLimits = {
  maxDepth: 15,
  maxAliases: 30,
  maxRootFields: 20,
  maxFields: 2000,
  maxIntrospectionDepth: 15,
  maxListSize: 100,
};

/** Arguments that size a list, whatever field carries them. */
export const LIST_SIZE_ARGUMENTS: ReadonlySet<string> = new Set(['first', 'last']);

export type LimitCode =
  | 'OPERATION_TOO_DEEP'
  | 'TOO_MANY_ALIASES'
  | 'TOO_MANY_ROOT_FIELDS'
  | 'TOO_MANY_FIELDS'
  | 'INTROSPECTION_TOO_DEEP'
  | 'LIST_TOO_LONG';

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
  /** The deepest introspection subtree, its `__schema`/`__type` field counted. */
  introspectionDepth: number;
}

const isIntrospectionRoot = (name: string) => name === '__schema' || name === '__type';

/** The first limit any operation of the document breaks, or none: run before validation. */
export function checkDocumentLimits(document: DocumentNode, limits: OperationLimits): LimitBreach | undefined {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const breach = checkOperationLimits(document, definition, limits);
    if (breach) return breach;
  }
  return undefined;
}

/**
 * The first limit an operation breaks, or none. Pure. Fragments are measured once each and
 * counted at every use, so a document that multiplies fields through nested spreads is measured
 * without being expanded. Introspection fields (`__schema`, `__type`) are left out: introspection
 * is answered from the consumer's own schema, not planned.
 */
export function checkOperationLimits(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  limits: OperationLimits,
): LimitBreach | undefined {
  const fragments = fragmentsOf(document);
  const measured = new Map<string, Shape>();
  const measure = (selectionSet: SelectionSetNode, visiting: ReadonlySet<string>): Shape => {
    let depth = 0;
    let aliases = 0;
    let fields = 0;
    let introspectionDepth = 0;
    for (const selection of selectionSet.selections) {
      let inner: Shape;
      if (selection.kind === Kind.FIELD) {
        const below = selection.selectionSet
          ? measure(selection.selectionSet, visiting)
          : { depth: 0, aliases: 0, fields: 0, introspectionDepth: 0 };
        if (isIntrospectionRoot(selection.name.value)) {
          // Introspection is answered from the consumer's schema, not planned: only its own depth counts.
          introspectionDepth = Math.max(introspectionDepth, below.depth + 1);
          continue;
        }
        inner = {
          depth: below.depth + 1,
          aliases: below.aliases + (selection.alias ? 1 : 0),
          fields: below.fields + 1,
          introspectionDepth: below.introspectionDepth,
        };
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
      introspectionDepth = Math.max(introspectionDepth, inner.introspectionDepth);
    }
    return { depth, aliases, fields, introspectionDepth };
  };
  const shape = measure(operation.selectionSet, new Set());
  const roots = rootFieldCount(operation.selectionSet, fragments, new Set());
  const checks: [LimitCode, number, number, string][] = [
    ['OPERATION_TOO_DEEP', limits.maxDepth, shape.depth, 'fields nested'],
    ['TOO_MANY_ROOT_FIELDS', limits.maxRootFields, roots, 'root fields'],
    ['TOO_MANY_ALIASES', limits.maxAliases, shape.aliases, 'aliases'],
    ['TOO_MANY_FIELDS', limits.maxFields, shape.fields, 'fields (fragments counted where used)'],
    ['INTROSPECTION_TOO_DEEP', limits.maxIntrospectionDepth, shape.introspectionDepth, 'levels of introspection'],
  ];
  for (const [code, limit, actual, what] of checks) {
    if (actual > limit)
      return {
        code,
        limit,
        actual,
        message: `The operation has ${actual} ${what}; this hub accepts at most ${limit}.`,
      };
  }
  return undefined;
}

function rootFieldCount(
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  visiting: ReadonlySet<string>,
): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) count += isIntrospectionRoot(selection.name.value) ? 0 : 1;
    else if (selection.kind === Kind.INLINE_FRAGMENT)
      count += rootFieldCount(selection.selectionSet, fragments, visiting);
    else {
      const fragment = fragments.get(selection.name.value);
      if (fragment && !visiting.has(fragment.name.value))
        count += rootFieldCount(fragment.selectionSet, fragments, new Set([...visiting, fragment.name.value]));
    }
  }
  return count;
}

/**
 * The first list-size argument (`first`, `last`) of the operation that asks for more than
 * `maxListSize` items, given as a literal or through a variable (its value, or its default).
 * Fragments the operation uses are checked too. Pure; runs once variables are known.
 */
export function checkListSizes(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | undefined,
  maxListSize: number,
): LimitBreach | undefined {
  const defaults = new Map(
    (operation.variableDefinitions ?? []).map((definition) => [
      definition.variable.name.value,
      definition.defaultValue,
    ]),
  );
  const fragments = fragmentsOf(document);
  const sizeOf = (value: ValueNode): number | undefined => {
    if (value.kind === Kind.INT) return Number(value.value);
    if (value.kind !== Kind.VARIABLE) return undefined;
    const name = value.name.value;
    const given = variables?.[name];
    if (typeof given === 'number') return given;
    const fallback = given === undefined ? defaults.get(name) : undefined;
    return fallback?.kind === Kind.INT ? Number(fallback.value) : undefined;
  };
  const seen = new Set<string>();
  const walk = (selectionSet: SelectionSetNode): LimitBreach | undefined => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        for (const argument of selection.arguments ?? []) {
          if (!LIST_SIZE_ARGUMENTS.has(argument.name.value)) continue;
          const size = sizeOf(argument.value);
          if (size !== undefined && size > maxListSize) {
            const field = selection.alias ? `${selection.alias.value}: ${selection.name.value}` : selection.name.value;
            return {
              code: 'LIST_TOO_LONG',
              limit: maxListSize,
              actual: size,
              message: `${field}(${argument.name.value}: ${size}) asks for more items than this hub returns in one page (at most ${maxListSize}); page through with after.`,
            };
          }
        }
        const below = selection.selectionSet ? walk(selection.selectionSet) : undefined;
        if (below) return below;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const below = walk(selection.selectionSet);
        if (below) return below;
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        const below = fragment ? walk(fragment.selectionSet) : undefined;
        if (below) return below;
      }
    }
    return undefined;
  };
  return walk(operation.selectionSet);
}
