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

/** Every node of a connection, asked page by page in JSON as a client would. */
async function allNodes(query: string, at: (data: any) => any, headers: Record<string, string>) {
  const nodes: Record<string, unknown>[] = [];
  let after: string | null = null;
  let errors: any[] = [];
  do {
    const page = await hub.query(query, { after }, headers);
    const connection = at(page.body.data);
    nodes.push(...connection.nodes);
    errors = page.body.errors ?? errors;
    after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
  } while (after);
  return { nodes, errors };
}

it('sends the one list of an answer as CSV, cell by cell the JSON answer, withheld cells empty', async () => {
  const query = `query Roster($after: String) { school(code: "${schoolCode}") { name students(first: 8, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { name grade gender birthDate } } } }`;
  const json = await allNodes(query, (data) => data.school.students, analyst);
  const csv = await exportAs(analyst, query, 'text/csv', 'Roster');
  expect(csv.statusCode).toBe(200);
  expect(csv.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
  expect(csv.headers['content-disposition']).toBe('attachment; filename="Roster.csv"');
  // The analyst may not read names: the JSON answer withholds them with an error, the CSV in a header.
  const denial = json.errors.find((e) => e.extensions!.coordinate === 'Student.name')!;
  expect(csv.headers['x-hub-withheld']).toBe(`Student.name=${denial.extensions!.code}`);
  const nodes = json.nodes;
  // More than one page: the gateway paged the roster itself.
  expect(nodes.length).toBeGreaterThan(8);
  expect(csv.trailers['x-hub-export']).toBe(`complete; rows=${nodes.length}`);
  const rows = parseCsv(csv.body);
  expect(rows[0]).toEqual(['name', 'grade', 'gender', 'birthDate']);
  expect(rows.slice(1)).toEqual(
    nodes.map((node) => ['name', 'grade', 'gender', 'birthDate'].map((k) => (node[k] === null ? '' : String(node[k])))),
  );
  expect(rows.slice(1).every((row) => row[0] === '')).toBe(true);
  // No cursor travels in a table.
  expect(csv.body).not.toMatch(/[A-Za-z0-9_-]{40,}/);
});

it('streams a consumer’s connection page by page up to EXPORT_MAX_ROWS, each page audited', async () => {
  const limited = await startInProcessHub({ env: { EXPORT_MAX_ROWS: '7', LIMIT_LIST_SIZE: '3' } });
  try {
    const headers = await limited.as('city-analytics', 'statistics');
    const query = 'query Schools { schools(first: 3) { nodes { code name district { name } } } }';
    const answer = await limited.inject({
      method: 'POST',
      url: '/graphql',
      headers: { ...headers, 'content-type': 'application/json', accept: 'text/csv' },
      payload: { query, operationName: 'Schools' },
    });
    expect(answer.statusCode).toBe(200);
    const rows = parseCsv(answer.body);
    expect(rows[0]).toEqual(['code', 'name', 'district.name']);
    expect(rows).toHaveLength(1 + 7);
    expect(answer.trailers['x-hub-export']).toBe('truncated; rows=7');
    // The same schools, in the same order, as the JSON answer gives them.
    const nodes: any[] = [];
    let after: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof limited.query<any>>> = await limited.query(
        'query($after: String) { schools(first: 3, after: $after) { pageInfo { hasNextPage endCursor } nodes { code name district { name } } } }',
        { after },
        headers,
      );
      nodes.push(...page.body.data!.schools.nodes);
      after = page.body.data!.schools.pageInfo.hasNextPage ? page.body.data!.schools.pageInfo.endCursor : null;
    } while (after && nodes.length < 7);
    expect(rows.slice(1)).toEqual(nodes.slice(0, 7).map((n) => [n.code, n.name, n.district?.name ?? '']));
    // Three pages of three were asked (the third cut at the limit), each one audited as a request of its own.
    const trail = readdirSync(join(limited.dataDir, 'audit'))
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => readFileSync(join(limited.dataDir, 'audit', f), 'utf8'))
      .join('')
      .split('\n')
      .filter((line) => line.includes('"requestId"') && line.includes('"operationName":"Schools"'));
    expect(trail).toHaveLength(3);
  } finally {
    await limited.stop();
  }
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
