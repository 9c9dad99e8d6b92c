import { getNamedType, isAbstractType, isObjectType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import type { Consumer } from '../consumers';
import { decideField } from './decideField';
import type { Grant, PolicySet } from './policySet';
import type { SourceLocation } from '../formats';
import type { PolicyProblem } from './policyInputs';

/**
 * Whether a consumer can reach objects of each type from the root of the graph, and if not, the
 * fewest CONDITIONAL fields it would need granted on the way: a grant of `Teacher.name` is of no
 * use while `School.teachers` — the only path to a teacher — is withheld. Computed as a shortest
 * path over the types (0-1 breadth-first search): a field released to the consumer costs nothing,
 * a CONDITIONAL field it lacks a grant for costs one, a field that is never released (NOT_SHARED,
 * or not open data for the public) is no path at all. Pure.
 */
export interface TypeReach {
  /** Granted fields on the way that the consumer lacks, fewest first; empty when reachable now. */
  missing: readonly string[];
}

export function reachTypes(
  policySet: PolicySet,
  consumer: Consumer,
  purpose: string | undefined,
  now: number,
): ReadonlyMap<string, TypeReach> {
  const schema = policySet.schema;
  const root = schema.getQueryType();
  const reach = new Map<string, TypeReach>();
  if (!root) return reach;
  const cost = (coordinate: string): number | undefined => {
    const decision = decideField(policySet, consumer, purpose, coordinate, now);
    if (decision.effect !== 'deny') return 0;
    const grantable =
      consumer.kind !== 'PUBLIC' &&
      decision.rulings
        .filter((r) => r.effect === 'deny')
        .every((r) => r.classification?.sharingClass === 'CONDITIONAL');
    return grantable ? 1 : undefined;
  };
  reach.set(root.name, { missing: [] });
  const queue: string[] = [root.name];
  const settled = new Set<string>();
  while (queue.length) {
    const typeName = queue.shift()!;
    if (settled.has(typeName)) continue;
    settled.add(typeName);
    const type = schema.getType(typeName) as GraphQLObjectType;
    const here = reach.get(typeName)!;
    for (const [fieldName, field] of Object.entries(type.getFields())) {
      const targets = objectTypes(schema, getNamedType(field.type).name);
      if (!targets.length) continue;
      const step = cost(`${typeName}.${fieldName}`);
      if (step === undefined) continue;
      const missing = step ? [...here.missing, `${typeName}.${fieldName}`] : here.missing;
      for (const target of targets) {
        const known = reach.get(target);
        if (known && known.missing.length <= missing.length) continue;
        reach.set(target, { missing });
        // 0-1 BFS: a free step goes to the front of the queue, a granted one to the back.
        if (step) queue.push(target);
        else queue.unshift(target);
      }
    }
  }
  return reach;
}

function objectTypes(schema: GraphQLSchema, name: string): string[] {
  const type = schema.getType(name);
  if (type && isObjectType(type)) return [type.name];
  if (type && isAbstractType(type)) return schema.getPossibleTypes(type).map((t) => t.name);
  return [];
}

/** A grant (or part of it) its consumer cannot use: no path to the granted type without `missing`. */
export interface UnreachableGrant {
  grant: string;
  origin: Grant['origin'];
  source: SourceLocation;
  consumer: string;
  purpose: string;
  typeName: string;
  /** The granted coordinates of that type. */
  coordinates: readonly string[];
  /** The parent fields to grant too; undefined when no grant could open a path. */
  missing?: readonly string[];
}

export function unreachableGrantFields(
  policySet: PolicySet,
  grants: readonly Grant[],
  now: number,
): UnreachableGrant[] {
  const found: UnreachableGrant[] = [];
  const cache = new Map<string, ReadonlyMap<string, TypeReach>>();
  for (const grant of grants) {
    if (grant.expiresAt <= now) continue;
    const consumer = policySet.consumers.consumers.get(grant.consumer);
    if (!consumer) continue;
    const purpose = grant.purposes[0]!;
    const key = `${consumer.id}\u0000${purpose}`;
    const reach = cache.get(key) ?? reachTypes(policySet, consumer, purpose, now);
    cache.set(key, reach);
    const typeNames = [...new Set(grant.fields.map((f) => f.typeName))];
    for (const typeName of typeNames) {
      const typeReach = reach.get(typeName);
      if (typeReach && !typeReach.missing.length) continue;
      found.push({
        grant: grant.id,
        origin: grant.origin,
        source: grant.source,
        consumer: grant.consumer,
        purpose,
        typeName,
        coordinates: grant.fields.filter((f) => f.typeName === typeName).map((f) => f.coordinate),
        ...(typeReach ? { missing: typeReach.missing } : {}),
      });
    }
  }
  return found;
}

/**
 * Warnings for grants that release fields their consumer cannot reach: each names the missing
 * parent grant(s) and how to ask for them. Store grants point at the store (`store#id`).
 */
export function unreachableGrantProblems(policySet: PolicySet, now: number): PolicyProblem[] {
  return unreachableGrantFields(policySet, policySet.grants, now).map((u) => ({
    severity: 'warning',
    location: u.source,
    message: describeUnreachableGrant(u),
    ...(u.missing ? { hint: parentGrantCommand(u) } : {}),
  }));
}

export function describeUnreachableGrant(u: UnreachableGrant): string {
  return u.missing
    ? `grant "${u.grant}" releases ${u.coordinates.join(', ')} to ${u.consumer}, who cannot reach a ${u.typeName} without ${u.missing.join(' and ')}: the grant cannot be used`
    : `grant "${u.grant}" releases ${u.coordinates.join(', ')} to ${u.consumer}, who cannot reach a ${u.typeName} by any path it could be granted`;
}

/** The command that asks for the missing parent grants. */
export function parentGrantCommand(u: UnreachableGrant): string {
  return `also grant ${u.missing!.join(', ')}: hub grant request --consumer ${u.consumer} --fields ${u.missing!.join(',')} --purpose ${u.purpose} --reason "…"${u.origin === 'policy-file' ? ` (or add them to the grant's fields)` : ''}`;
}
