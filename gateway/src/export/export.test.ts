import { buildSchema } from 'graphql';
import { csvWanted } from './negotiate';
import { exportPageInfo, pagedExportOf } from './pagedExport';
import { listColumns, listColumnsOf } from './selection';
import { toCsv } from './csv';
import { tabulate, type Table } from './tabulate';

describe('tabulate', () => {
  it('makes rows of a connection’s nodes, objects flattened into dotted columns', () => {
    const result = tabulate({
      schools: {
        totalCount: 2,
        pageInfo: { endCursor: 'opaque', hasNextPage: false },
        nodes: [
          { code: '1101010001', name: '第一小学', district: { name: '东城区' } },
          { code: '1101010002', name: null, district: null, type: 'PRIMARY' },
        ],
      },
    });
    expect(result).toEqual({
      table: {
        listPath: 'schools.nodes',
        columns: ['code', 'name', 'district.name', 'type'],
        rows: [
          ['1101010001', '第一小学', '东城区', null],
          ['1101010002', null, null, 'PRIMARY'],
        ],
      },
    });
  });

  it('takes the node of each edge and never a cursor', () => {
    const result = tabulate({ keyLabs: { edges: [{ cursor: 'c1', node: { code: 'K1' } }] } }) as { table: Table };
    expect(result.table.columns).toEqual(['code']);
    expect(result.table.rows).toEqual([['K1']]);
  });

  it('joins a list of scalars into one cell, and makes one column of a list of scalars', () => {
    expect(tabulate({ lab: { rows: [{ tags: ['a', null, 'b'] }] } })).toMatchObject({
      table: { rows: [['a; ; b']] },
    });
    expect(tabulate({ districtCodes: ['110101', '110102'] })).toMatchObject({
      table: { columns: ['districtCodes'], rows: [['110101'], ['110102']] },
    });
  });

  it('refuses an answer with no list, several lists, or lists of objects inside rows', () => {
    expect(tabulate({ school: { name: 'x' } })).toEqual({ refused: expect.stringContaining('no list') });
    expect(tabulate({ a: { nodes: [] }, b: { nodes: [] } })).toEqual({
      refused: expect.stringContaining('2 lists (a.nodes, b.nodes)'),
    });
    expect(tabulate({ schools: { nodes: [{ students: { nodes: [{ grade: 1 }] } }] } })).toEqual({
      refused: expect.stringContaining('students.nodes'),
    });
    expect(tabulate(null)).toEqual({ refused: expect.any(String) });
  });
});

describe('toCsv', () => {
  it('writes RFC 4180 with a byte order mark and CRLF line ends', () => {
    const csv = toCsv({
      listPath: 'x',
      columns: ['name', 'note', 'count', 'ok'],
      rows: [
        ['王, 丽', 'says "hi"\nthen leaves', 3, true],
        [null, '', -2, false],
      ],
    });
    expect(csv).toBe('\uFEFFname,note,count,ok\r\n"王, 丽","says ""hi""\nthen leaves",3,true\r\n,,-2,false\r\n');
  });

  it('never lets a text value become a spreadsheet formula', () => {
    const csv = toCsv({ listPath: 'x', columns: ['v'], rows: [['=HYPERLINK("x")'], ['+1'], ['-1'], ['@SUM(A1)']] });
    expect(csv.split('\r\n').slice(1, 5)).toEqual(['"\'=HYPERLINK(""x"")"', "'+1", "'-1", "'@SUM(A1)"]);
  });
});

describe('csvWanted', () => {
  it.each([
    [undefined, false, true],
    ['application/json', false, true],
    ['text/csv', true, false],
    ['text/csv, application/json;q=0.5', true, true],
    ['application/json, text/csv', false, true],
    ['text/csv;q=0.5, application/json', false, true],
    ['text/csv;q=0', false, false],
    ['TEXT/CSV; charset=utf-8', true, false],
  ])('Accept %p → csv %p, JSON acceptable %p', (accept, csv, jsonAcceptable) => {
    expect(csvWanted(accept)).toEqual({ csv, jsonAcceptable });
  });
});

describe('listColumns', () => {
  it('takes the leaves a list’s rows select, dotted by response key, through fragments', () => {
    const query = `query Q { schools(first: 2) { totalCount nodes { code n: name ...Where ... on School { type } } } }
      fragment Where on School { district { name code } name }`;
    expect(listColumns(query, 'Q', ['schools', 'nodes'])).toEqual([
      'code',
      'n',
      'district.name',
      'district.code',
      'name',
      'type',
    ]);
    expect(listColumns('{ labs { edges { cursor node { code } } } }', undefined, ['labs', 'edges'])).toEqual(['code']);
    expect(listColumns('{ codes }', undefined, ['codes'])).toEqual(['codes']);
    expect(listColumns('{ a } { b }', undefined, ['a'])).toBeUndefined();
  });

  it('fixes a table’s columns, so a null object still has its columns', () => {
    const data = { schools: { nodes: [{ code: '1', district: null }] } };
    expect(tabulate(data, ['code', 'district.name'])).toMatchObject({ table: { rows: [['1', null]] } });
  });

  it('reads an export’s columns once for all its pages, asked with the list each page holds', () => {
    const columnsOf = listColumnsOf('query Q { schools { nodes { code district { name } } } }', 'Q');
    const asked: (readonly string[])[] = [];
    const columns = (listPath: readonly string[]) => (asked.push(listPath), columnsOf(listPath));
    const page = (code: string) => ({ schools: { nodes: [{ code, district: null }] } });
    expect(tabulate(page('1'), columns)).toMatchObject({
      table: { columns: ['code', 'district.name'], rows: [['1', null]] },
    });
    expect(tabulate(page('2'), columns)).toMatchObject({ table: { rows: [['2', null]] } });
    expect(asked).toEqual([
      ['schools', 'nodes'],
      ['schools', 'nodes'],
    ]);
    // The second page's columns are the first's, not worked out again.
    expect(columnsOf(['schools', 'nodes'])).toBe(columnsOf(['schools', 'nodes']));
    expect(listColumnsOf('{ a } { b }', undefined)(['a'])).toBeUndefined();
  });
});

describe('pagedExportOf', () => {
  const schema = buildSchema(`
    type Query { schools(first: Int, after: String): SchoolConnection, school(code: ID!): School }
    type School { code: ID!, name: String, students(first: Int, after: String): StudentConnection }
    type SchoolConnection { nodes: [School!]!, pageInfo: PageInfo!, totalCount: Int! }
    type StudentConnection { nodes: [Student!]!, pageInfo: PageInfo! }
    type Student { grade: Int }
    type PageInfo { hasNextPage: Boolean!, endCursor: String }
  `);

  it('asks for the page info and takes after from a variable, keeping the client’s first after', () => {
    const paged = pagedExportOf(
      schema,
      'query R($c: ID!, $a: String) { school(code: $c) { students(first: 5, after: $a) { nodes { grade } } } }',
      'R',
      { c: '1', a: 'cur' },
      50,
    )!;
    expect(paged.connectionPath).toEqual(['school', 'students']);
    expect(paged.firstAfter).toBe('cur');
    expect(paged.query).toContain('$cdoExportAfter: String');
    expect(paged.query).toContain('students(first: 50, after: $cdoExportAfter)');
    expect(paged.query).toContain('cdoExportPage: pageInfo {');
    // The client's after variable is gone (its value is the first page's), the others stay.
    expect(paged.query).toContain('query R($c: ID!, $cdoExportAfter: String)');
    expect(
      exportPageInfo(
        { school: { students: { cdoExportPage: { hasNextPage: true, endCursor: 'x' } } } },
        paged.connectionPath,
      ),
    ).toEqual({ hasNextPage: true, endCursor: 'x' });
  });

  it('leaves alone what it cannot page: two connections, spreads on the way, taken names, an unknown operation, invalid rewrites', () => {
    for (const query of [
      '{ schools(first: 1) { nodes { code } } a: schools { nodes { code } } }',
      '{ school(code: "1") { ...S } } fragment S on School { students { nodes { grade } } }',
      'query($cdoExportAfter: String) { schools(after: $cdoExportAfter) { nodes { code } } }',
      '{ schools { cdoExportPage: totalCount nodes { code } } }',
    ])
      expect(pagedExportOf(schema, query, undefined, {}, 50)).toBeUndefined();
    expect(pagedExportOf(schema, '{ schools { nodes { code } } }', 'Missing', {}, 50)).toBeUndefined();
    const noAfter = buildSchema(
      'type Query { list: C } type C { nodes: [Int], pageInfo: PageInfo } type PageInfo { hasNextPage: Boolean!, endCursor: String }',
    );
    expect(pagedExportOf(noAfter, '{ list { nodes } }', undefined, {}, 50)).toBeUndefined();
  });
});
