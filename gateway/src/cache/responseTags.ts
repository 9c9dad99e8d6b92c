import {
  isObjectType,
  type DocumentNode,
  type FieldNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { walkResponse, walkSelection } from '../enforcement';
import type { OperationRef } from '../policy';

/** A changed entity (`School` with key `11010800101`), or every entity of a type (no key). */
export interface EntityRef {
  type: string;
  key?: string;
}

/**
 * The invalidation tags of a response: `type:T` for every type it holds, `T:<key>` for every
 * entity whose key fields it carries, and `unkeyed:T` when it holds an entity of T without its
 * key (so a change to any T must purge it). Pure.
 */
export function responseTags(
  schema: GraphQLSchema,
  keys: ReadonlyMap<string, ReadonlySet<string>>,
  document: DocumentNode,
  operationOrName: OperationRef,
  variables: Record<string, unknown> | undefined,
  data: Record<string, unknown> | null | undefined,
): string[] {
  const tags = new Set<string>();
  walkResponse(schema, document, operationOrName, variables, data, tagVisitor(keys, tags));
  return [...tags].sort();
}

/**
 * The invalidation tags of one entity a subgraph returned to `_entities`: its own (`type:T` and
 * `T:<key>` from its representation, which always carries the key) and those of every object
 * below it, as `responseTags`. Pure.
 */
export function entityTags(
  schema: GraphQLSchema,
  keys: ReadonlyMap<string, ReadonlySet<string>>,
  document: DocumentNode,
  entitiesSelection: SelectionSetNode,
  variables: Record<string, unknown> | undefined,
  representation: Record<string, unknown>,
  entity: Record<string, unknown>,
): string[] {
  const tags = new Set<string>();
  const typeName = String(representation.__typename);
  tags.add(`type:${typeName}`);
  const keyFields = [...(keys.get(typeName) ?? [])];
  const values = keyFields.map((field) => representation[field]);
  tags.add(
    keyFields.length && values.every((v) => v !== null && v !== undefined && typeof v !== 'object')
      ? `${typeName}:${values.map(String).join(',')}`
      : `unkeyed:${typeName}`,
  );
  const type = schema.getType(typeName);
  if (isObjectType(type)) {
    const visit = tagVisitor(keys, tags);
    walkSelection(schema, document, variables, type, entitiesSelection, entity, (objectType, fields, object) => {
      if (object !== entity) visit(objectType, fields, object);
    });
  }
  return [...tags].sort();
}

/** Adds `type:T` and `T:<key>` (or `unkeyed:T`) for every object visited. */
function tagVisitor(keys: ReadonlyMap<string, ReadonlySet<string>>, tags: Set<string>) {
  return (type: GraphQLObjectType, fields: Map<string, FieldNode[]>, object: Record<string, unknown>): void => {
    tags.add(`type:${type.name}`);
    const keyFields = keys.get(type.name);
    if (!keyFields?.size) return;
    const values: string[] = [];
    for (const keyField of keyFields) {
      const responseKey = [...fields].find(
        ([, nodes]) => nodes[0]!.name.value === keyField && !nodes[0]!.arguments?.length,
      )?.[0];
      const value = responseKey === undefined ? undefined : object[responseKey];
      if (value === null || value === undefined) {
        tags.add(`unkeyed:${type.name}`);
        return;
      }
      values.push(String(value));
    }
    tags.add(`${type.name}:${values.join(',')}`);
  };
}

/** The tags to purge when entities change: the entity's own tag and its type's unkeyed tag; a type-wide change purges every response holding the type. */
export function invalidationTags(refs: readonly EntityRef[]): string[] {
  const tags = new Set<string>();
  for (const ref of refs) {
    if (ref.key === undefined) tags.add(`type:${ref.type}`);
    else {
      tags.add(`${ref.type}:${ref.key}`);
      tags.add(`unkeyed:${ref.type}`);
    }
  }
  return [...tags].sort();
}
