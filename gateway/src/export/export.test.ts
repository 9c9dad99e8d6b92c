import { csvWanted } from './negotiate';
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
