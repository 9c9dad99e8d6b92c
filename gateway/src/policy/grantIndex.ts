import type { Grant } from './policySet';

/**
 * A lookup of grants by consumer and the coordinate they name: exactly, or through `Type.*` —
 * which grants the type's fields, never its arguments (an argument is granted by name).
 */
export function grantIndex(grants: readonly Grant[]): (consumerId: string, coordinate: string) => readonly Grant[] {
  const byConsumer = new Map<string, Grant[]>();
  for (const grant of grants) byConsumer.set(grant.consumer, [...(byConsumer.get(grant.consumer) ?? []), grant]);
  return (consumerId, coordinate) => {
    const typeName = coordinate.slice(0, coordinate.indexOf('.'));
    const wildcardApplies = !coordinate.includes('(');
    return (byConsumer.get(consumerId) ?? []).filter((grant) =>
      grant.fields.some(
        (field) =>
          field.coordinate === coordinate ||
          (wildcardApplies && field.fieldName === '*' && field.typeName === typeName),
      ),
    );
  };
}
