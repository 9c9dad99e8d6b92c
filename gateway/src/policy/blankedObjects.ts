import {
  getNamedType,
  isAbstractType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import type { ConsumerDirectory } from '../consumers';
import type { FieldClassification, Grant } from './policySet';
import type { PolicyInputs } from './policyInputs';

/**
 * Where nulls land when a non-null field is withheld: GraphQL replaces the nearest nullable
 * position above it with null (spec, "Handling Field Errors"), and the gateway's shaping does the
 * same. Withholding `School.address` (`String!`) therefore blanks the whole `School` wherever one
 * is read — `Query.school`, `Organization.school` … — and, through `SchoolConnection.nodes:
 * [School!]!`, the whole `Query.schools` page. Pure: schema in, coordinates out.
 */
export function blankedPositions(schema: GraphQLSchema, fieldCoordinate: string): string[] {
  const typeName = fieldCoordinate.slice(0, fieldCoordinate.indexOf('.'));
  const landed = new Set<string>();
  const seen = new Set<string>();
  const visit = (type: string) => {
    if (seen.has(type)) return;
    seen.add(type);
    for (const [parent, field, fieldType] of fieldsReturning(schema, type)) {
      const coordinate = `${parent.name}.${field}`;
      if (nullableAboveItem(fieldType)) landed.add(coordinate);
      else visit(parent.name);
    }
  };
  visit(typeName);
  return [...landed].sort();
}

/** Whether some position of `type` (the item or a list around it, or the field itself) is nullable. */
export function nullableAboveItem(type: GraphQLOutputType): boolean {
  let at: GraphQLOutputType = type;
  for (;;) {
    if (!isNonNullType(at)) return true;
    const inner: GraphQLOutputType = at.ofType;
    if (!isListType(inner)) return false;
    at = inner.ofType;
  }
}

/** Every object field whose named type is `typeName`, or an interface or union it belongs to. */
function fieldsReturning(schema: GraphQLSchema, typeName: string): [GraphQLObjectType, string, GraphQLOutputType][] {
  const found: [GraphQLObjectType, string, GraphQLOutputType][] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const [name, field] of Object.entries(type.getFields())) {
      const named = getNamedType(field.type);
      const matches =
        named.name === typeName ||
        (isAbstractType(named) && schema.getPossibleTypes(named).some((t) => t.name === typeName));
      if (matches) found.push([type, name, field.type]);
    }
  }
  return found;
}

/**
 * Consumers who would be denied a field of `agency` classed `sharingClass`: every consumer of
 * another agency, except — for CONDITIONAL — those holding a grant that names it.
 */
export function consumersDenied(
  consumers: ConsumerDirectory,
  grants: readonly Grant[],
  agency: string,
  sharingClass: 'CONDITIONAL' | 'NOT_SHARED',
  fieldCoordinate: string,
): string[] {
  const typeName = fieldCoordinate.slice(0, fieldCoordinate.indexOf('.'));
  const granted = new Set(
    sharingClass === 'NOT_SHARED'
      ? []
      : grants
          .filter(
            (g) =>
              g.agency === agency &&
              g.fields.some(
                (f) => f.coordinate === fieldCoordinate || (f.fieldName === '*' && f.typeName === typeName),
              ),
          )
          .map((g) => g.consumer),
  );
  return [...consumers.consumers.values()]
    .filter((c) => c.agency !== agency && !granted.has(c.id))
    .map((c) => c.id)
    .sort();
}

/** The blanking guard's refusal: the field, the objects that would become null, the consumers affected. */
export function blankingMessage(
  inputs: PolicyInputs,
  grants: readonly Grant[],
  coordinate: string,
  classification: FieldClassification,
): string {
  const typeName = coordinate.slice(0, coordinate.indexOf('.'));
  const positions = blankedPositions(inputs.schema, coordinate);
  const denied =
    classification.sharingClass === 'UNCONDITIONAL'
      ? []
      : consumersDenied(inputs.consumers, grants, classification.agency, classification.sharingClass, coordinate);
  return (
    `${coordinate} is non-null but ${classification.sharingClass}: for a consumer denied it, every ${typeName} becomes null` +
    ` (at ${positions.join(', ') || 'no nullable position: the whole response'})` +
    `; consumers affected: ${denied.join(', ') || 'none today'}`
  );
}
