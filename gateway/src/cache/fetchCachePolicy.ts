import { createHash } from 'node:crypto';
import {
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  parse,
  print,
  type DocumentNode,
  type FieldNode,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { canonicalJson } from '../formats';
import type { ScopedFields } from '../signing';
import type { PolicySet } from '../policy';
import type { CacheRules } from './cachePolicy';
import { fragmentsOf } from '../selections';

/**
 * What one subgraph fetch is, read from the query text the query planner sends: an entity
 * fetch (`_entities(representations: …)`), a root-field query, or something never cached
 * (a mutation, a subscription, a text that does not parse).
 */
export type FetchShape =
  | { kind: 'entities'; document: DocumentNode; entities: FieldNode; selection: string }
  | { kind: 'root'; document: DocumentNode; selection: string }
  | { kind: 'uncacheable'; reason: string };

export function fetchShape(query: string | undefined): FetchShape {
  if (!query) return { kind: 'uncacheable', reason: 'no query text' };
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch {
    return { kind: 'uncacheable', reason: 'the query does not parse' };
  }
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (operations.length !== 1 || operations[0]!.operation !== 'query')
    return { kind: 'uncacheable', reason: 'not a query' };
  const roots = operations[0]!.selectionSet.selections;
  // The planner names each fetch after the client's operation (`Totals__education__1`): the key
  // leaves the name out, so different operations asking the same of a subgraph share entries. It
  // keeps the variable definitions: their defaults (copied from the client's operation) decide
  // the answer when the client sends no value.
  const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => print(d));
  const selection = [print({ ...operations[0]!, name: undefined }), ...fragments.sort()].join('\n');
  const entities = roots.find((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === '_entities');
  if (entities)
    return roots.length === 1
      ? { kind: 'entities', document, entities, selection }
      : { kind: 'uncacheable', reason: '_entities with other root fields' };
  return { kind: 'root', document, selection };
}

/** How long a fetch's result may be kept, and the types it holds (invalidation tags). */
export interface FetchLimits {
  /** 0: do not cache. */
  ttlSeconds: number;
  limitedBy: string;
  types: string[];
}

/**
 * The caching limits of one subgraph fetch, from the fields it selects — the same rules as the
 * response cache (`schema/cache.yaml`): each field bounds the TTL by its type's TTL, by the cap
 * of its sharing class and the cap of its level as the fetched agency classes it (a field marked
 * `cacheable` lifts the level cap). A field the API schema does not know (internal to the
 * subgraph) or a field of an interface, which no policy classifies, is unclassified: NOT_SHARED,
 * never cached. Pure.
 */
export function fetchCachingLimits(
  shape: Extract<FetchShape, { kind: 'entities' | 'root' }>,
  policySet: PolicySet,
  agency: string,
  rules: CacheRules,
): FetchLimits {
  const schema = policySet.schema;
  let ttl = Infinity;
  let limitedBy = 'nothing';
  const types = new Set<string>();
  const bound = (seconds: number, why: string) => {
    if (seconds < ttl) {
      ttl = seconds;
      limitedBy = why;
    }
  };
  const fragments = fragmentsOf(shape.document);
  const typeNamed = (name: string): GraphQLObjectType | GraphQLInterfaceType | undefined => {
    const type = schema.getType(name);
    return type && (isObjectType(type) || isInterfaceType(type)) ? type : undefined;
  };

  const walk = (
    parent: GraphQLObjectType | GraphQLInterfaceType | undefined,
    selectionSet: SelectionSetNode,
    parentName: string,
    seen: ReadonlySet<string>,
  ) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const name = selection.typeCondition?.name.value ?? parentName;
        walk(typeNamed(name), selection.selectionSet, name, seen);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || seen.has(fragment.name.value)) continue;
        walk(
          typeNamed(fragment.typeCondition.name.value),
          fragment.selectionSet,
          fragment.typeCondition.name.value,
          new Set([...seen, fragment.name.value]),
        );
        continue;
      }
      const fieldName = selection.name.value;
      if (fieldName === '__typename') continue;
      const coordinate = `${parentName}.${fieldName}`;
      const field = parent?.getFields()[fieldName];
      if (!field) {
        bound(0, `${coordinate} is not in the API schema`);
        continue;
      }
      types.add(parentName);
      const typeTtl = rules.types.get(parentName);
      if (typeTtl !== undefined) bound(typeTtl, `the TTL of ${parentName}`);
      const classification = policySet.classify(coordinate, agency);
      bound(rules.classCaps[classification.sharingClass], `${coordinate} is ${classification.sharingClass}`);
      const levelCap = classification.cacheable ? undefined : rules.levelCaps[classification.level];
      if (levelCap !== undefined) bound(levelCap, `${coordinate} is ${classification.level}`);
      const named = getNamedType(field.type);
      if (selection.selectionSet && isCompositeType(named))
        walk(typeNamed(named.name), selection.selectionSet, named.name, seen);
    }
  };

  if (shape.kind === 'entities') {
    if (shape.entities.selectionSet) walk(undefined, shape.entities.selectionSet, '_Entity', new Set());
  } else {
    const operation = shape.document.definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    )!;
    const root = schema.getQueryType();
    walk(root ?? undefined, operation.selectionSet, root?.name ?? 'Query', new Set());
  }
  if (![...types].some((type) => rules.types.has(type))) bound(rules.defaultTtlSeconds, 'the default TTL');
  return { ttlSeconds: Math.max(0, Math.floor(ttl)), limitedBy, types: [...types].sort() };
}

/**
 * The part of a fetch's cache key every entry of the fetch shares: what decides the subgraph's
 * answer — supergraph and policy versions, the subgraph, the selection (already cut to the
 * consumer's view; the operation's name left out), the variables other than the representations, and the row scope
 * sent to that subgraph. The consumer is not in it: a subgraph answers a query the same for
 * every consumer with the same row scope (its messages name the scope, never the consumer).
 */
export function fetchKeyBase(parts: {
  supergraphVersion: string;
  policyVersion: string;
  agency: string;
  selection: string;
  variables: Record<string, unknown> | undefined;
  scope: ScopedFields | undefined;
}): string {
  const { representations: _representations, ...variables } = parts.variables ?? {};
  return createHash('sha256')
    .update(
      `${parts.supergraphVersion}\n${parts.policyVersion}\n${parts.agency}\n${parts.selection}\n${canonicalJson(variables)}\n${canonicalJson(parts.scope ?? null)}`,
    )
    .digest('hex');
}

/** One entity's key: the fetch's base and the full representation (type, keys, required fields). */
export function entityKey(base: string, representation: unknown): string {
  return `ent:${createHash('sha256').update(base).update('\n').update(canonicalJson(representation)).digest('hex')}`;
}

export function rootFetchKey(base: string): string {
  return `root:${base}`;
}
