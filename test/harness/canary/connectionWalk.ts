import {
  getNamedType,
  isLeafType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import type { View } from './policyViews';

/**
 * Every connection (a type with `nodes` and `pageInfo`) reachable from the query root, each by a
 * few of its shortest paths — roots and children, a bounded fan-out — as operations that select
 * `totalCount`, `pageInfo { hasNextPage endCursor }` and every leaf of the nodes, paged with
 * `$after`. A child list takes the same `after` in every parent (the subgraphs' child lists name
 * their field, not the parent), so one cursor pages them all.
 */

export interface WalkRoot {
  /** A field of Query. */
  field: string;
  /** Literal arguments (required ones, or filters worth a path of their own, e.g. a district). */
  args?: Record<string, string | number | boolean>;
}

interface Step {
  field: string;
  args: string;
  connection: boolean;
}

export interface ConnectionPath {
  /** The connection field walked, e.g. `School.students`. */
  coordinate: string;
  /** How it is reached, e.g. `schools(districtCode: "110108") › nodes › students`. */
  label: string;
  steps: Step[];
  nodeType: GraphQLObjectType;
}

export interface WalkOptions {
  /** Object hops from the root to the connection walked (the root field counts as one). */
  maxDepth: number;
  /** Paths kept per connection field, each from a different root. */
  pathsPerConnection: number;
}

export function isConnectionType(type: unknown): boolean {
  return isObjectType(type) && 'nodes' in type.getFields() && 'pageInfo' in type.getFields();
}

function literal(args: Record<string, string | number | boolean> | undefined): string {
  const entries = Object.entries(args ?? {});
  return entries.map(([name, value]) => `${name}: ${JSON.stringify(value)}`).join(', ');
}

function hasRequiredArgs(field: GraphQLField<unknown, unknown>): boolean {
  return field.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined);
}

export function connectionPaths(
  schema: GraphQLSchema,
  roots: readonly WalkRoot[],
  options: WalkOptions,
): ConnectionPath[] {
  const query = schema.getQueryType()!;
  const found = new Map<string, ConnectionPath[]>();
  const usedRoots = new Map<string, Set<number>>();
  interface Item {
    type: GraphQLObjectType;
    steps: Step[];
    root: number;
    depth: number;
    seen: Set<string>;
  }
  const queue: Item[] = [];
  const record = (coordinate: string, steps: Step[], nodeType: GraphQLObjectType, root: number) => {
    const paths = found.get(coordinate) ?? [];
    const roots = usedRoots.get(coordinate) ?? new Set<number>();
    if (paths.length >= options.pathsPerConnection || roots.has(root)) return;
    roots.add(root);
    usedRoots.set(coordinate, roots);
    paths.push({
      coordinate,
      steps,
      nodeType,
      label: steps.map((s) => `${s.field}${s.args ? `(${s.args})` : ''}${s.connection ? ' › nodes' : ''}`).join(' › '),
    });
    found.set(coordinate, paths);
  };
  const follow = (
    parent: GraphQLObjectType,
    field: GraphQLField<unknown, unknown>,
    args: string,
    from: Omit<Item, 'type'>,
  ) => {
    const named = getNamedType(field.type);
    if (!isObjectType(named)) return;
    const coordinate = `${parent.name}.${field.name}`;
    if (isConnectionType(named)) {
      const nodeType = getNamedType(named.getFields().nodes!.type) as GraphQLObjectType;
      const steps = [...from.steps, { field: field.name, args, connection: true }];
      record(coordinate, steps, nodeType, from.root);
      if (from.depth + 1 < options.maxDepth && !from.seen.has(nodeType.name))
        queue.push({
          type: nodeType,
          steps,
          root: from.root,
          depth: from.depth + 1,
          seen: new Set([...from.seen, nodeType.name]),
        });
    } else if (from.depth + 1 < options.maxDepth && !from.seen.has(named.name)) {
      queue.push({
        type: named,
        steps: [...from.steps, { field: field.name, args, connection: false }],
        root: from.root,
        depth: from.depth + 1,
        seen: new Set([...from.seen, named.name]),
      });
    }
  };
  roots.forEach((root, index) => {
    const field = query.getFields()[root.field];
    if (!field) throw new Error(`no Query.${root.field}`);
    follow(query, field, literal(root.args), { steps: [], root: index, depth: 0, seen: new Set() });
  });
  while (queue.length) {
    const item = queue.shift()!;
    for (const field of Object.values(item.type.getFields())) {
      if (hasRequiredArgs(field)) continue;
      follow(item.type, field, '', item);
    }
  }
  return [...found.values()].flat();
}

/** The operation walking `path`: parents `parentFirst` at a time, the walked connection `first` per page after `$after`. */
export function connectionOperation(path: ConnectionPath, sizes: { parentFirst: number; first: number }): string {
  const leaves = Object.values(path.nodeType.getFields())
    .filter((f) => isLeafType(getNamedType(f.type)) && !hasRequiredArgs(f))
    .map((f) => f.name)
    .join(' ');
  let inner = `totalCount pageInfo { hasNextPage endCursor } nodes { ${leaves} }`;
  const steps = [...path.steps];
  const last = steps.pop()!;
  inner = `${last.field}(${[last.args, `first: ${sizes.first}`, 'after: $after'].filter(Boolean).join(', ')}) { ${inner} }`;
  for (const step of steps.reverse()) {
    const args = step.connection ? [step.args, `first: ${sizes.parentFirst}`].filter(Boolean).join(', ') : step.args;
    inner = `${step.field}${args ? `(${args})` : ''} { ${step.connection ? `nodes { ${inner} }` : inner} }`;
  }
  return `query CanaryWalk($after: String) { ${inner} }`;
}

/** The `pageInfo` of every occurrence of the walked connection in an answer. */
export function pageInfosIn(
  path: ConnectionPath,
  data: unknown,
): { hasNextPage?: boolean; endCursor?: string | null }[] {
  let level: unknown[] = [data];
  path.steps.forEach((step, index) => {
    const next: unknown[] = [];
    for (const value of level) {
      const child = value && typeof value === 'object' ? (value as Record<string, unknown>)[step.field] : undefined;
      if (child === null || child === undefined) continue;
      const last = index === path.steps.length - 1;
      if (step.connection && !last)
        next.push(...(((child as Record<string, unknown>).nodes as unknown[] | null) ?? []));
      else next.push(child);
    }
    level = next;
  });
  return level.map(
    (connection) =>
      ((connection as Record<string, unknown>).pageInfo ?? {}) as { hasNextPage?: boolean; endCursor?: string | null },
  );
}

/** What walking needs of the hub: a GraphQL request as a view, judged by the oracle. */
export interface WalkingHub {
  graphql(
    view: View,
    query: string,
    variables?: Record<string, unknown>,
    method?: 'POST' | 'GET' | 'CSV',
  ): Promise<{ body: { data?: Record<string, any> | null } | undefined }>;
}

/**
 * Walks one connection as `view`: the first page three times (again, where the answer may come
 * from the cache, and over GET), then up to `pages - 1` more by endCursor. Returns the requests made.
 */
export async function walkConnection(
  hub: WalkingHub,
  view: View,
  path: ConnectionPath,
  options: { pages: number; parentFirst: number; first: number },
): Promise<number> {
  const query = connectionOperation(path, options);
  let requests = 0;
  let after: string | null = null;
  for (let page = 0; page < options.pages; page++) {
    const exchange = await hub.graphql(view, query, after ? { after } : {});
    requests++;
    if (page === 0) {
      await hub.graphql(view, query, {});
      await hub.graphql(view, query, {}, 'GET');
      // The same answer as an export: a table when the path is one list, a coded refusal otherwise.
      await hub.graphql(view, query, {}, 'CSV');
      requests += 3;
    }
    const next = pageInfosIn(path, exchange.body?.data).find((info) => info.hasNextPage && info.endCursor);
    if (!next?.endCursor) break;
    after = next.endCursor;
  }
  return requests;
}
