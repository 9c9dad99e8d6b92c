import { isObjectType, type GraphQLSchema } from 'graphql';
import { masksThatFit, maskTypeProblem, parseMask } from '../masking';

/**
 * Why a mask the CDO chose for a requested field cannot apply, with the masks that would: checked
 * when the CDO approves, so the answer names the field and the choice, not a grant that does not
 * exist yet. Undefined when the mask fits.
 */
export function maskProblem(schema: GraphQLSchema, coordinate: string, mask: string): string | undefined {
  const [typeName, fieldName] = coordinate.split('.') as [string, string];
  const type = schema.getType(typeName);
  const field = type && isObjectType(type) ? type.getFields()[fieldName] : undefined;
  if (!field) return undefined; // the policy check names an unknown field
  const fitting = `masks that fit ${coordinate} (${String(field.type)}): ${masksThatFit(field.type).join(', ') || 'none'}`;
  const parsed = parseMask(mask);
  if ('error' in parsed) return `unknown mask "${mask.trim()}"; ${fitting}`;
  const problem = maskTypeProblem(parsed, field.type);
  return problem ? `${problem}; ${fitting}` : undefined;
}

/** Per requested field (wildcards aside), the masks that fit it: what `hub grant approve` offers. */
export function maskChoices(
  schema: GraphQLSchema,
  coordinates: readonly string[],
): { coordinate: string; masks: string[] }[] {
  return coordinates.flatMap((coordinate) => {
    const [typeName, fieldName] = coordinate.split('.') as [string, string];
    const type = schema.getType(typeName);
    const field = type && isObjectType(type) ? type.getFields()[fieldName] : undefined;
    return field ? [{ coordinate, masks: masksThatFit(field.type) }] : [];
  });
}
