import { buildSchema, type GraphQLObjectType } from 'graphql';
import {
  argumentRule,
  connectionNodeType,
  inferArgument,
  inferArgumentValue,
  parseArgumentCoordinate,
} from './argumentValues';

// How an argument no policy classes is read from the schema alone.
const schema = buildSchema(`
  type Query {
    pupil(idNumber: String!, note: String): Pupil
    pupils(orderBy: PupilOrder, where: PupilFilter, side: Side = ANY, first: Int = 10, last: Int, after: String, before: String, limit: Int): PupilConnection
    edgy(name: String, after: String): PupilEdges
    count(name: String): Int
    sorted(sort: PupilSort, sortBy: [PupilOrdering!], idNumbers: [String!], idNumber: [String!], bornAfter: String, birthDateAfter: String, minBirthDate: String, nameStartsWith: String, lastName: String, schoolCode: ID, schoolDistrictCode: ID, where: PupilWhere): PupilConnection
  }
  type Pupil { idNumber: String name: String lastName: String birthDate: String pupil(name: String): Pupil school: School }
  type School { code: ID! district: District pupils: PupilConnection }
  interface Holder { secret: String }
  type Person implements Holder { secret: String name: String }
  type Firm implements Holder { secret: String }
  extend type Query { holders(secret: String, name: String): [Holder] }
  type District { code: ID! }
  enum PupilSort { NAME_ASC BIRTH_DATE_DESC BY_ID_NUMBER ASC BORN_DESC }
  enum PupilField { NAME BIRTH_DATE }
  enum Direction { ASC DESC }
  input PupilOrdering { field: PupilField! direction: Direction }
  input PupilWhere { AND: [PupilWhere!] school: SchoolWhere birthDate: DateRange bornAfter: String }
  input SchoolWhere { district: DistrictWhere pupils: PupilWhere }
  input DistrictWhere { code: ID }
  input DateRange { from: String to: String }
  enum PupilOrder { NAME BIRTH_DATE SHOE_SIZE }
  enum Side { ANY NAME }
  input PupilFilter { name: String idNumber: String favouriteColour: String }
  type PupilConnection { nodes: [Pupil!]! pageInfo: PageInfo! totalCount: Int! }
  type PupilEdges { edges: [PupilEdge!]! pageInfo: PageInfo! }
  type PupilEdge { node: Pupil cursor: String }
  type PageInfo { hasNextPage: Boolean! }
`);
const query = schema.getQueryType()!;
const infer = (fieldName: string, argument: string, type: GraphQLObjectType = query) => {
  const field = type.getFields()[fieldName]!;
  return inferArgumentValue(
    field,
    field.args.find((a) => a.name === argument)!,
    type.name,
  );
};

describe('inferArgumentValue', () => {
  it('finds the field an argument is named after, on the type returned or a connection’s items', () => {
    expect(infer('pupil', 'idNumber')).toEqual({ kind: 'over', over: ['Pupil.idNumber'], origin: 'inferred' });
    expect(infer('edgy', 'name')).toEqual({ kind: 'over', over: ['Pupil.name'], origin: 'inferred' });
  });

  it('reads an enum of sort keys or sides as every field its values name', () => {
    expect(infer('pupils', 'orderBy')).toEqual({
      kind: 'over',
      over: ['Pupil.name', 'Pupil.birthDate'],
      origin: 'inferred',
    });
    expect(infer('pupils', 'side')).toEqual({ kind: 'over', over: ['Pupil.name'], origin: 'inferred' });
  });

  it('reads an input object as every field its fields name', () => {
    expect(infer('pupils', 'where')).toEqual({
      kind: 'over',
      over: ['Pupil.name', 'Pupil.idNumber'],
      origin: 'inferred',
    });
  });

  it('exempts paging and sealed cursors on connections, and only there', () => {
    for (const argument of ['first', 'last', 'after', 'before']) expect(infer('pupils', argument).kind).toBe('exempt');
    expect(infer('edgy', 'after').kind).toBe('exempt');
    expect(infer('pupils', 'limit')).toEqual({ kind: 'field' });
  });

  it('gives an argument matching nothing the class of its field, also on a leaf field', () => {
    expect(infer('pupil', 'note')).toEqual({ kind: 'field' });
    expect(infer('count', 'name')).toEqual({ kind: 'field' });
  });

  it('reads arguments of fields below the root the same way', () => {
    const pupil = schema.getType('Pupil') as GraphQLObjectType;
    expect(infer('pupil', 'name', pupil)).toEqual({ kind: 'over', over: ['Pupil.name'], origin: 'inferred' });
  });
});

describe('inferArgument: the shapes an argument over a field takes', () => {
  const sorted = (argument: string) => {
    const field = query.getFields().sorted!;
    return inferArgument(
      field,
      field.args.find((a) => a.name === argument)!,
      'Query',
    );
  };
  const over = (...fields: string[]) => ({ value: { kind: 'over', over: fields, origin: 'inferred' }, unplaced: [] });

  it('reads enum values with a direction or comparison word before or after a field name', () => {
    // ASC alone compares nothing; BORN_DESC names no field, so it is left unplaced.
    expect(sorted('sort')).toEqual({
      value: { kind: 'over', over: ['Pupil.name', 'Pupil.birthDate', 'Pupil.idNumber'], origin: 'inferred' },
      unplaced: ['PupilSort.BORN_DESC'],
    });
  });

  it('reads sort keys given as input objects { field, direction }', () => {
    expect(sorted('sortBy')).toEqual(over('Pupil.name', 'Pupil.birthDate'));
  });

  it('reads a list named as a field’s plural, and a list named as the field', () => {
    expect(sorted('idNumbers')).toEqual(over('Pupil.idNumber'));
    expect(sorted('idNumber')).toEqual(over('Pupil.idNumber'));
  });

  it('reads bounds and tests named after a field, but not a name that only sounds like one', () => {
    expect(sorted('birthDateAfter')).toEqual(over('Pupil.birthDate'));
    expect(sorted('minBirthDate')).toEqual(over('Pupil.birthDate'));
    expect(sorted('nameStartsWith')).toEqual(over('Pupil.name'));
    expect(sorted('bornAfter')).toEqual({ value: { kind: 'field' }, unplaced: ['bornAfter'] });
    // The name as given wins over the name without its comparison words.
    expect(sorted('lastName')).toEqual(over('Pupil.lastName'));
  });

  it('walks relations named in the argument, at most three deep', () => {
    expect(sorted('schoolCode')).toEqual(over('Pupil.school', 'School.code'));
    expect(sorted('schoolDistrictCode')).toEqual(over('Pupil.school', 'School.district', 'District.code'));
  });

  it('reads nested input objects: logic over the same records, relations, ranges; and terminates on recursive inputs', () => {
    expect(sorted('where')).toEqual({
      value: {
        kind: 'over',
        over: ['Pupil.school', 'School.district', 'District.code', 'School.pupils', 'Pupil.birthDate'],
        origin: 'inferred',
      },
      unplaced: ['where.school.pupils.bornAfter', 'where.bornAfter'],
    });
  });

  it('places an argument of a field returning an interface on every type it may be', () => {
    const holders = query.getFields().holders!;
    const read = (argument: string) =>
      inferArgument(
        holders,
        holders.args.find((a) => a.name === argument)!,
        'Query',
        schema,
      );
    expect(read('secret')).toEqual(over('Person.secret', 'Firm.secret'));
    expect(read('name')).toEqual(over('Person.name'));
    // Without the schema the possible types are unknown: nothing is placed, and it says so.
    expect(inferArgument(holders, holders.args[0]!, 'Query').unplaced).toEqual(['secret']);
  });

  it('reports what it could not place, also beside what it could', () => {
    const pupils = query.getFields().pupils!;
    expect(
      inferArgument(
        pupils,
        pupils.args.find((a) => a.name === 'orderBy')!,
        'Query',
      ).unplaced,
    ).toEqual(['PupilOrder.SHOE_SIZE']);
    expect(
      inferArgument(
        pupils,
        pupils.args.find((a) => a.name === 'where')!,
        'Query',
      ).unplaced,
    ).toEqual(['where.favouriteColour']);
    expect(
      inferArgument(
        pupils,
        pupils.args.find((a) => a.name === 'side')!,
        'Query',
      ).unplaced,
    ).toEqual([]);
  });
});

describe('argumentRule', () => {
  const rule = (fieldName: string, argument: string, defaultCompares?: boolean) => {
    const field = query.getFields()[fieldName]!;
    const arg = field.args.find((a) => a.name === argument)!;
    return argumentRule('Query', field, arg, inferArgumentValue(field, arg, 'Query'), defaultCompares);
  };

  it('reads a compared default unless the policy says it compares nothing', () => {
    expect(rule('pupils', 'side')).toMatchObject({
      coordinate: 'Query.pupils(side)',
      field: 'Query.pupils',
      readsDefault: true,
      required: false,
    });
    expect(rule('pupils', 'side', false).readsDefault).toBe(false);
    // A default on an argument with nothing to decide is no read.
    expect(rule('pupils', 'first').readsDefault).toBe(false);
  });

  it('marks required arguments', () => {
    expect(rule('pupil', 'idNumber').required).toBe(true);
    expect(rule('pupil', 'note').required).toBe(false);
  });
});

describe('helpers', () => {
  it('recognises connections and argument coordinates', () => {
    expect(connectionNodeType(schema.getType('PupilConnection'))?.name).toBe('Pupil');
    expect(connectionNodeType(schema.getType('Pupil'))).toBeUndefined();
    expect(parseArgumentCoordinate('Query.pupil(idNumber)')).toEqual({
      typeName: 'Query',
      fieldName: 'pupil',
      argument: 'idNumber',
    });
    expect(parseArgumentCoordinate('Query.pupil')).toBeUndefined();
  });
});
