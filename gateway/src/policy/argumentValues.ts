import {
  getNamedType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import type { ArgumentRule, ArgumentValue } from './policySet';

/** Arguments of a connection that page through it rather than compare: never reads of their own. */
const PAGING_ARGUMENTS = new Set(['first', 'last']);
/** Cursor arguments: opaque, sealed by the agency that issued them, so they carry no value a consumer chose. */
const CURSOR_ARGUMENTS = new Set(['after', 'before']);

/**
 * Words that say how a value is compared or ordered rather than which value: `ID_NUMBER_DESC`,
 * `gradeFrom`, `minGrade`, `birthDateAfter`, `nameStartsWith`, `BY_NAME`. A name with them
 * removed may name a field.
 */
const COMPARISON_WORDS = new Set([
  'asc',
  'desc',
  'ascending',
  'descending',
  'by',
  'nulls',
  'first',
  'last',
  'eq',
  'ne',
  'neq',
  'not',
  'is',
  'equals',
  'exact',
  'exactly',
  'only',
  'gt',
  'gte',
  'ge',
  'lt',
  'lte',
  'le',
  'min',
  'max',
  'least',
  'most',
  'greater',
  'less',
  'than',
  'or',
  'equal',
  'from',
  'to',
  'before',
  'after',
  'since',
  'until',
  'above',
  'below',
  'over',
  'under',
  'between',
  'range',
  'earliest',
  'latest',
  'in',
  'nin',
  'contains',
  'like',
  'starts',
  'ends',
  'with',
  'prefix',
  'suffix',
]);
/** Enum values made only of these compare against nothing: a direction (`ASC`), `ANY`, `ALL`. */
const NO_VALUE_WORDS = new Set([
  'asc',
  'desc',
  'ascending',
  'descending',
  'nulls',
  'first',
  'last',
  'any',
  'all',
  'none',
  'default',
]);
/** How far a name may walk relations (`schoolDistrictCode` → `Student.school`, `School.district`, `District.code`), and how deep input objects nest. */
const MAX_RELATION_DEPTH = 3;
const MAX_INPUT_DEPTH = 5;

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

/**
 * The records a field returns, whose fields its arguments compare against: the object type it
 * returns, and for a Relay connection also its items' type (items first); for an interface or a
 * union, every object type it may be (given the schema).
 */
export function returnedRecords(field: GraphQLField<unknown, unknown>, schema?: GraphQLSchema): GraphQLObjectType[] {
  const returned = getNamedType(field.type);
  if (isAbstractType(returned)) return schema ? [...schema.getPossibleTypes(returned)] : [];
  if (!isObjectType(returned)) return [];
  const node = connectionNodeType(returned);
  return node ? [node, returned] : [returned];
}

/** What inference made of an argument: its value, and the parts of it that name nothing it could place. */
export interface InferredArgument {
  value: ArgumentValue;
  /**
   * What the argument may compare against that inference could not place on a field: the
   * argument itself (`bornAfter`), an input field (`where.bornAfter`) or an enum value
   * (`StudentOrder.BORN`). Empty when every part is placed or compares nothing (`ASC`, `ANY`).
   */
  unplaced: string[];
}

/**
 * What an argument no policy classes reads, from the schema alone (docs/security/arguments-and-counts.md):
 * the records the field returns are its return type, a connection's item type, or each type an
 * interface or union may be (with the schema); the argument
 * is over a field of those records when its name, once split into words, names it
 * - as is (`studentByIdNumber(idNumber:)` → `Student.idNumber`, `schools(type:)` → `School.type`);
 * - without words that say how it compares (`gradeFrom`, `minGrade`, `birthDateAfter`);
 * - in the plural, for a list (`idNumbers: [String!]` → `Student.idNumber`);
 * - through a relation (`schools(districtCode:)` → `School.district`, `District.code`), at most
 *   three relations deep;
 * or, where its name places nothing,
 * - its type is an enum whose values name fields the same way (`orderBy: StudentOrder` with
 *   `ID_NUMBER_DESC` → `Student.idNumber`; `role: ContractRole` with `SELLER`, `BUYER` →
 *   `TechnologyContract.seller`, `.buyer`); values such as `ASC` or `ANY` compare nothing;
 * - its type is an input object whose fields are placed the same way, recursively: `where:
 *   { gender }` → `Student.gender`, `orderBy: { field: ID_NUMBER, direction: ASC }` →
 *   `Student.idNumber`, `where: { student: { idNumber } }` → `Enrolment.student`,
 *   `Student.idNumber`, `where: { AND: [...] }` → what its parts compare.
 * Every match counts. Whatever is left unplaced is returned: compiling the policies refuses it
 * where the records hold protected data (fail closed), and otherwise it takes the class of the
 * field it is on. Paging and cursor arguments of a connection are exempt. Runs once per argument
 * when the policies compile, never per request.
 */
export function inferArgument(
  field: GraphQLField<unknown, unknown>,
  argument: GraphQLArgument,
  typeName: string,
  schema?: GraphQLSchema,
): InferredArgument {
  const returned = getNamedType(field.type);
  const node = connectionNodeType(returned);
  if (node && CURSOR_ARGUMENTS.has(argument.name))
    return { value: { kind: 'exempt', because: 'a cursor, sealed by the agency that issued it' }, unplaced: [] };
  if (node && PAGING_ARGUMENTS.has(argument.name))
    return { value: { kind: 'exempt', because: 'a page size' }, unplaced: [] };
  const found: Found = { over: new Set(), unplaced: [] };
  readValue(argument.type, argument.name, argument.name, returnedRecords(field, schema), found, 0, new Set());
  // An argument over the field it is on (a self-reference) says nothing more than the field.
  found.over.delete(`${typeName}.${field.name}`);
  return {
    value: found.over.size ? { kind: 'over', over: [...found.over], origin: 'inferred' } : { kind: 'field' },
    unplaced: found.unplaced,
  };
}

/** `inferArgument`'s value alone. */
export function inferArgumentValue(
  field: GraphQLField<unknown, unknown>,
  argument: GraphQLArgument,
  typeName: string,
  schema?: GraphQLSchema,
): ArgumentValue {
  return inferArgument(field, argument, typeName, schema).value;
}

interface Found {
  over: Set<string>;
  unplaced: string[];
}

/**
 * Reads one named value (an argument or an input field) of `type` against `records`: its name
 * first; where the name places nothing, what its type's values or fields place.
 */
function readValue(
  type: GraphQLInputType,
  name: string,
  path: string,
  records: readonly GraphQLObjectType[],
  found: Found,
  depth: number,
  seen: Set<string>,
): void {
  const named = getNamedType(type);
  const placements = placeName(wordsOf(name), records, isListValue(type));
  if (placements.length) {
    for (const placed of placements) for (const coordinate of placed.coordinates) found.over.add(coordinate);
    if (isEnumType(named)) {
      // Every match counts: a value naming another field (`side: Side { ANY NAME }`) adds it.
      for (const value of named.getValues())
        for (const coordinate of placeEnumValue(value.name, records) ?? []) found.over.add(coordinate);
    } else if (isInputObjectType(named)) {
      // A relation named (`student: { idNumber }`): the nested input compares the related
      // records, and what it leaves unplaced counts. A value named (`grade: { gte }`): its fields
      // say how it is compared; their names may add fields, and the rest is how, not what.
      const related = placements.flatMap((placed) => (placed.related ? [placed.related] : []));
      if (related.length) readInput(named, path, related, found, depth + 1, seen);
      else readInput(named, path, records, { over: found.over, unplaced: [] }, depth + 1, seen);
    }
    return;
  }
  if (isEnumType(named)) {
    for (const value of named.getValues()) {
      const coordinates = placeEnumValue(value.name, records);
      if (coordinates === undefined) found.unplaced.push(`${named.name}.${value.name}`);
      else for (const coordinate of coordinates) found.over.add(coordinate);
    }
  } else if (isInputObjectType(named)) {
    // Grouping or logic (`where: { AND: [...] }`, `orderBy: { field, direction }`): read its fields against the same records.
    readInput(named, path, records, found, depth + 1, seen);
  } else {
    found.unplaced.push(path);
  }
}

function readInput(
  type: GraphQLInputObjectType,
  path: string,
  records: readonly GraphQLObjectType[],
  found: Found,
  depth: number,
  seen: Set<string>,
): void {
  const key = `${type.name}@${records.map((r) => r.name).join(',')}`;
  // A recursive input (`AND: [StudentFilter!]`) is read once per set of records; too deep is unplaced.
  if (seen.has(key)) return;
  if (depth > MAX_INPUT_DEPTH) {
    found.unplaced.push(path);
    return;
  }
  seen.add(key);
  for (const field of Object.values(type.getFields()))
    readValue(field.type, field.name, `${path}.${field.name}`, records, found, depth, seen);
}

/** The fields an enum value names (`ID_NUMBER_DESC` → `idNumber`); `[]` when it compares nothing (`ASC`, `ANY`); undefined when unplaced. */
function placeEnumValue(value: string, records: readonly GraphQLObjectType[]): string[] | undefined {
  const words = wordsOf(value);
  if (words.every((word) => NO_VALUE_WORDS.has(word))) return [];
  const placements = placeName(words, records, false);
  return placements.length ? placements.flatMap((placed) => placed.coordinates) : undefined;
}

/** `ID_NUMBER_DESC`, `idNumberDesc`, `ownerUSCC` → lower-case words (`id`, `number`, `desc`). */
function wordsOf(name: string): string[] {
  return name
    .split('_')
    .flatMap((part) => part.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? [])
    .map((word) => word.toLowerCase());
}

function isListValue(type: GraphQLInputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/**
 * Where a name's words point on the records: the name as given, then with comparison words
 * removed from either end (fewest removed first). The first reading that places wins, on every
 * record it places on (each type an interface may be). Empty when nothing places.
 */
function placeName(words: readonly string[], records: readonly GraphQLObjectType[], list: boolean): Placement[] {
  for (const core of cores(words)) {
    const placements = records.flatMap((record) => placeWords(core, record, list, 0) ?? []);
    if (placements.length) return placements;
  }
  return [];
}

interface Placement {
  coordinates: string[];
  /** The records of the last field placed, when it is a relation: a nested input compares them. */
  related?: GraphQLObjectType;
}

function* cores(words: readonly string[]): Generator<readonly string[]> {
  let leading = 0;
  while (leading < words.length - 1 && COMPARISON_WORDS.has(words[leading]!)) leading++;
  let trailing = 0;
  while (trailing < words.length - 1 && COMPARISON_WORDS.has(words[words.length - 1 - trailing]!)) trailing++;
  for (let removed = 0; removed <= leading + trailing; removed++) {
    for (let front = Math.min(removed, leading); front >= 0 && removed - front <= trailing; front--) {
      const back = removed - front;
      if (front + back < words.length) yield words.slice(front, words.length - back);
    }
  }
}

/** A field of `record` the words name, or a relation the first words name followed by what the rest name on its records. */
function placeWords(
  words: readonly string[],
  record: GraphQLObjectType,
  list: boolean,
  depth: number,
): Placement | undefined {
  const fields = fieldIndex(record);
  const whole = words.join('');
  const name =
    fields.get(whole) ??
    (list
      ? singulars(whole)
          .map((s) => fields.get(s))
          .find((f) => f !== undefined)
      : undefined);
  if (name) {
    const related = relatedRecords(record.getFields()[name]!);
    return { coordinates: [`${record.name}.${name}`], ...(related ? { related } : {}) };
  }
  if (depth >= MAX_RELATION_DEPTH) return undefined;
  for (let i = 1; i < words.length; i++) {
    const head = fields.get(words.slice(0, i).join(''));
    const related = head ? relatedRecords(record.getFields()[head]!) : undefined;
    if (!related) continue;
    const rest = placeWords(words.slice(i), related, list, depth + 1);
    if (rest) return { ...rest, coordinates: [`${record.name}.${head}`, ...rest.coordinates] };
  }
  return undefined;
}

/** `idnumbers` → `idnumber`; `categories` → `category`; `addresses` → `address`. */
function singulars(word: string): string[] {
  if (!word.endsWith('s')) return [];
  const found = [word.slice(0, -1)];
  if (word.endsWith('es')) found.push(word.slice(0, -2));
  if (word.endsWith('ies')) found.push(`${word.slice(0, -3)}y`);
  return found;
}

/** The records a relation field leads to (an object, a list of them, or a connection's items). */
function relatedRecords(field: GraphQLField<unknown, unknown>): GraphQLObjectType | undefined {
  const named = getNamedType(field.type);
  return isObjectType(named) ? (connectionNodeType(named) ?? named) : undefined;
}

const fieldIndexes = new WeakMap<GraphQLObjectType, Map<string, string>>();
/** A type's field names by their lower-case spelling (compile time only). */
function fieldIndex(record: GraphQLObjectType): Map<string, string> {
  let index = fieldIndexes.get(record);
  if (!index) {
    index = new Map();
    for (const name of Object.keys(record.getFields()))
      if (!index.has(name.toLowerCase())) index.set(name.toLowerCase(), name);
    fieldIndexes.set(record, index);
  }
  return index;
}

/** Builds the compiled rule of one argument from its value (explicit or inferred) and its schema definition. */
export function argumentRule(
  typeName: string,
  field: GraphQLField<unknown, unknown>,
  argument: GraphQLArgument,
  value: ArgumentValue,
  defaultCompares: boolean | undefined,
): ArgumentRule {
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
export function parseArgumentCoordinate(
  coordinate: string,
): { typeName: string; fieldName: string; argument: string } | undefined {
  const match = /^([A-Za-z_]\w*)\.([A-Za-z_]\w*)\(([A-Za-z_]\w*)\)$/.exec(coordinate);
  return match ? { typeName: match[1]!, fieldName: match[2]!, argument: match[3]! } : undefined;
}
