import { reachTypes, type PolicySet } from '../policy';
import type { GrantRequest } from './model';

/**
 * Warnings for a request whose fields the consumer could not reach even once granted: the parent
 * fields on the way it lacks and did not ask for (`Teacher.name` without `School.teachers`), with
 * the request that would cover them. Pure.
 */
export function unreachableRequestWarnings(policySet: PolicySet, request: GrantRequest, now: number): string[] {
  if (request.status !== 'pending') return [];
  return missingParents(policySet, request, now).map(({ typeName, missing }) =>
    missing
      ? `${request.consumer} cannot reach a ${typeName} without ${missing.join(' and ')}, which this request does not name: ask for ${missing.join(', ')} too (hub grant request --consumer ${request.consumer} --fields ${missing.join(',')} --purpose ${request.purpose} --reason "…")`
      : `${request.consumer} cannot reach a ${typeName} by any path a grant could open`,
  );
}

/**
 * Per type of the request's fields that its consumer could not reach once they are granted: the
 * parent fields on the way it lacks and the request does not name (`missing` absent when no grant
 * could open a path). Empty when every requested field can be used. Pure.
 */
export function missingParents(
  policySet: PolicySet,
  request: Pick<GrantRequest, 'consumer' | 'purpose' | 'fields'>,
  now: number,
): { typeName: string; missing?: string[] }[] {
  const consumer = policySet.consumers.consumers.get(request.consumer);
  if (!consumer) return [];
  const reach = reachTypes(policySet, consumer, request.purpose, now);
  const asked = new Set(request.fields);
  const found: { typeName: string; missing?: string[] }[] = [];
  for (const typeName of new Set(request.fields.map((f) => f.slice(0, f.indexOf('.'))))) {
    const typeReach = reach.get(typeName);
    const missing = typeReach?.missing.filter((c) => !asked.has(c) && !asked.has(`${c.slice(0, c.indexOf('.'))}.*`));
    if (typeReach && !missing?.length) continue;
    found.push({ typeName, ...(missing ? { missing } : {}) });
  }
  return found;
}
