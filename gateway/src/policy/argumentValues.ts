import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLObjectType,
} from 'graphql';
import type { ArgumentRule, ArgumentValue } from './policySet';

/** Arguments of a connection that page through it rather than compare: never reads of their own. */
const PAGING_ARGUMENTS = new Set(['first', 'last']);
/** Cursor arguments: opaque, sealed by the agency that issued them, so they carry no value a consumer chose. */
const CURSOR_ARGUMENTS = new Set(['after', 'before']);

/** The item type of a Relay connection (`nodes: [T!]!` or `edges { node: T }`), if the type is one. */
export function connectionNodeType(type: unknown): GraphQLObjectType | undefined {
  if (!isObjectType(type) || !type.getFields().pageInfo) return undefined;
  const nodes = type.getFields().nodes;
  const named = nodes ? getNamedType(nodes.type) : undefined;
  if (isObjectType(named)) return named;
  const edges = getNamedType(type.getFields().edges?.type);
  const node = isObjectType(edges) ? getNamedType(edges.getFields().node?.type) : undefined;
  return isObjectType(node) ? node : undefined;
}

/** `ID_NUMBER` → `idNumber`: how an enum of sort keys or sides names the fields it means. */
function camelCase(constantCase: string): string {
  return constantCase.toLowerCase().replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/**
 * What an argument no policy classes reads, from the schema alone (docs/security/arguments-and-counts.md):
 * the records the field returns are its return type, or a connection's item type; the argument
 * is over a field of those records when
 * - its name is the field's name (`studentByIdNumber(idNumber:)` → `Student.idNumber`,
 *   `schools(type:)` → `School.type`);
 * - its type is an enum whose values name fields (`orderBy: StudentOrder` with `ID_NUMBER` →
 *   `Student.idNumber`; `role: ContractRole` with `SELLER`, `BUYER` → `TechnologyContract.seller`, `.buyer`);
 * - its type is an input object whose fields name fields (`where: { gender }` → `Student.gender`).
 * Every match counts. An argument matching nothing takes the class of the field it is on; paging
 * and cursor arguments of a connection are exempt.
 */
export function inferArgumentValue(field: GraphQLField<unknown, unknown>, argument: GraphQLArgument, typeName: string): ArgumentValue {
  const returned = getNamedType(field.type);
  const node = connectionNodeType(returned);
  if (node && CURSOR_ARGUMENTS.has(argument.name)) return { kind: 'exempt', because: 'a cursor, sealed by the agency that issued it' };
  if (node && PAGING_ARGUMENTS.has(argument.name)) return { kind: 'exempt', because: 'a page size' };
  const records = [node, isObjectType(returned) ? returned : undefined].filter((t): t is GraphQLObjectType => t !== undefined);
  const over = new Set<string>();
  const fieldOf = (name: string) => {
    const record = records.find((t) => t.getFields()[name]);
    return record ? `${record.name}.${name}` : undefined;
  };
  const byName = fieldOf(argument.name);
  if (byName) over.add(byName);
  const argumentType = getNamedType(argument.type);
  const names = isEnumType(argumentType) ? argumentType.getValues().map((v) => camelCase(v.name)) : isInputObjectType(argumentType) ? Object.keys(argumentType.getFields()) : [];
  for (const name of names) {
    const coordinate = fieldOf(name);
    if (coordinate) over.add(coordinate);
  }
  // An argument over the field it is on (a self-reference) says nothing more than the field.
  over.delete(`${typeName}.${field.name}`);
  return over.size ? { kind: 'over', over: [...over], origin: 'inferred' } : { kind: 'field' };
}

/** Builds the compiled rule of one argument from its value (explicit or inferred) and its schema definition. */
export function argumentRule(typeName: string, field: GraphQLField<unknown, unknown>, argument: GraphQLArgument, value: ArgumentValue, defaultCompares: boolean | undefined): ArgumentRule {
  const hasDefault = argument.defaultValue !== undefined && argument.defaultValue !== null;
  const decisive = value.kind === 'classed' || value.kind === 'over';
  return {
    coordinate: `${typeName}.${field.name}(${argument.name})`,
    field: `${typeName}.${field.name}`,
    argument: argument.name,
    value,
    readsDefault: decisive && hasDefault && defaultCompares !== false,
    required: isNonNullType(argument.type) && !hasDefault,
  };
}

/** `Type.field(arg)` → its parts; undefined for anything else. */
export function parseArgumentCoordinate(coordinate: string): { typeName: string; fieldName: string; argument: string } | undefined {
  const match = /^([A-Za-z_]\w*)\.([A-Za-z_]\w*)\(([A-Za-z_]\w*)\)$/.exec(coordinate);
  return match ? { typeName: match[1]!, fieldName: match[2]!, argument: match[3]! } : undefined;
}
