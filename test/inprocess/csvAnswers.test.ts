import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startInProcessHub, type InProcessHub } from './gatewayHarness';

// csvAnswers.ts: `Accept: text/csv` runs the operation like any other and sends its one list as
// CSV — every cell the JSON answer's, withheld fields empty and named in x-hub-withheld, audited.

let hub: InProcessHub;
let analyst: Record<string, string>;
let schoolCode: string;

beforeAll(async () => {
  hub = await startInProcessHub();
  analyst = await hub.as('city-analytics', 'statistics');
  const schools = await hub.query('{ schools(first: 1) { nodes { code } } }', {}, analyst);
  schoolCode = schools.body.data!.schools.nodes[0].code;
});

afterAll(async () => {
  await hub?.stop();
});

async function exportAs(headers: Record<string, string>, query: string, accept = 'text/csv', operationName?: string) {
  return hub.inject({
    method: 'POST',
    url: '/graphql',
    headers: { ...headers, 'content-type': 'application/json', accept },
    payload: { query, ...(operationName ? { operationName } : {}) },
  });
}

/** RFC 4180 rows, parsed field by field (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  expect(text.startsWith('\uFEFF')).toBe(true);
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 1;
  while (i < text.length) {
    let value = '';
    if (text[i] === '"') {
      i++;
      while (i < text.length && !(text[i] === '"' && text[i + 1] !== '"')) {
        value += text[i];
        i += text[i] === '"' ? 2 : 1;
      }
      i++;
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') value += text[i++];
    }
    row.push(value);
    if (text[i] === ',') i++;
    else {
      rows.push(row);
      row = [];
      i += 2;
    }
  }
  return rows;
}

it('sends the one list of an answer as CSV, cell by cell the JSON answer, withheld cells empty', async () => {
  const query = `query Roster { school(code: "${schoolCode}") { name students(first: 8) { totalCount pageInfo { endCursor } nodes { name grade gender birthDate } } } }`;
  const json = await hub.query(query, {}, analyst);
  const csv = await exportAs(analyst, query, 'text/csv', 'Roster');
  expect(csv.statusCode).toBe(200);
  expect(csv.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
  expect(csv.headers['content-disposition']).toBe('attachment; filename="Roster.csv"');
  // The analyst may not read names: the JSON answer withholds them with an error, the CSV in a header.
  const denial = json.body.errors!.find((e) => e.extensions!.coordinate === 'Student.name')!;
  expect(csv.headers['x-hub-withheld']).toBe(`Student.name=${denial.extensions!.code}`);
  const nodes = json.body.data!.school.students.nodes as Record<string, unknown>[];
  expect(nodes.length).toBeGreaterThan(0);
  const rows = parseCsv(csv.body);
  expect(rows[0]).toEqual(['name', 'grade', 'gender', 'birthDate']);
  expect(rows.slice(1)).toEqual(
    nodes.map((node) => ['name', 'grade', 'gender', 'birthDate'].map((k) => (node[k] === null ? '' : String(node[k])))),
  );
  expect(rows.slice(1).every((row) => row[0] === '')).toBe(true);
  // No cursor travels in a table.
  expect(csv.body).not.toContain(json.body.data!.school.students.pageInfo.endCursor);
});

it('records a CSV read in the audit trail like any other', async () => {
  const query = `query AuditedExport { school(code: "${schoolCode}") { students(first: 3) { nodes { grade } } } }`;
  const csv = await exportAs(analyst, query);
  expect(csv.statusCode).toBe(200);
  const requestId = csv.headers['x-request-id'] as string;
  const auditDir = join(hub.dataDir, 'audit');
  const trail = readdirSync(auditDir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => readFileSync(join(auditDir, f), 'utf8'))
    .join('');
  expect(trail).toContain(requestId);
});

it('refuses with 406 an answer that is not one table, unless JSON is acceptable too', async () => {
  const twoLists = '{ schools(first: 2) { nodes { code } } districts(first: 2) { nodes { code } } }';
  const refused = await exportAs(analyst, twoLists);
  expect(refused.statusCode).toBe(406);
  expect(refused.json().errors[0].extensions.code).toBe('NOT_ACCEPTABLE');
  expect(refused.json().errors[0].message).toContain('2 lists (schools.nodes, districts.nodes)');
  expect(refused.json().data).toBeUndefined();
  const fallback = await exportAs(analyst, twoLists, 'text/csv, application/json;q=0.5');
  expect(fallback.statusCode).toBe(200);
  expect(fallback.headers['content-type']).toMatch(/^application\/json/);
  expect(fallback.json().data.schools.nodes).toHaveLength(2);
});

it('keeps an answer with errors other than withheld fields as GraphQL JSON, so its codes arrive', async () => {
  const invalid = await exportAs(analyst, '{ schools(first: 2) { nodes { noSuchField } } }');
  expect(invalid.statusCode).toBe(400);
  expect(invalid.headers['content-type']).toMatch(/^application\/json/);
  expect(invalid.json().errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
});
