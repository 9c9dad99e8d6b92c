import type { AgencyDatabase } from '@cdo-hub/subgraph-kit';
import { as, type GraphQLResponse } from '../harness/hubProcess';
import { readOnlyHub, type ReadOnlyHub } from '../harness/sharedHub';

// Cursors through the whole hub: the education subgraph seals every cursor for the list and the
// row scope of the call, the gateway passes them through without opening them, and a cursor the
// agency refuses — from another row scope, altered, truncated or garbage — refuses the operation
// with 400 INVALID_CURSOR, never a 5xx. The gateway's caches keep serving pages whose cursors work
// for every consumer with the same row scope: a sealed cursor has a fresh random IV, so the very
// same cursor text coming back to a second consumer proves it was served from a cache.

let hub: ReadOnlyHub;
let education: AgencyDatabase;
let haidianSchool: string;

beforeAll(async () => {
  hub = await readOnlyHub();
  education = hub.database('education');
  haidianSchool = education.get<{ code: string }>(
    "SELECT code FROM schools WHERE district_code = '110108' AND enrolment >= 12 ORDER BY code",
  )!.code;
}, 120_000);

afterAll(async () => {
  education?.close();
  await hub?.release();
});

const consumers = {
  haidian: () => as('district-haidian', 'enrollment-planning'), // roster grant scoped to district 110108
  analytics: () => as('city-analytics', 'statistics'), // roster grant, no row scope
  science: () => as('science', 'industrial-policy'), // no roster grant, no row scope at education
};
type Who = keyof typeof consumers;

const ask = async (who: Who, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse> =>
  hub.query(query, variables, await consumers[who]());

const ROSTER =
  'query Roster($code: ID!, $after: String) { school(code: $code) { students(first: 5, after: $after) { nodes { grade } pageInfo { hasNextPage endCursor } totalCount } } }';

function expectInvalidCursor(response: GraphQLResponse): void {
  expect(response.status).toBe(400);
  expect(response.body.data).toBeUndefined();
  expect(response.body.errors?.map((error) => [error.extensions?.code, error.extensions?.agency])).toEqual([
    ['INVALID_CURSOR', 'education'],
  ]);
}

/** Every base64url-looking run of a text, decoded: what anyone holding the cursor could read. */
function decodedRuns(text: string): string {
  return (text.match(/[A-Za-z0-9_-]{16,}/g) ?? [])
    .map((run) => Buffer.from(run, 'base64url').toString('latin1'))
    .join('\n');
}

describe('sealed cursors through the gateway', () => {
  it('page a roster to its end in roster order, each cursor telling nothing of the pupils', async () => {
    const grades: number[] = [];
    const cursors: string[] = [];
    let after: string | null = null;
    do {
      const page = await ask('haidian', ROSTER, { code: haidianSchool, after });
      expect(page.status).toBe(200);
      expect(page.body.errors).toBeUndefined();
      const students = page.body.data!.school.students;
      grades.push(...students.nodes.map((node: { grade: number }) => node.grade));
      after = students.pageInfo.hasNextPage ? students.pageInfo.endCursor : null;
      if (after) cursors.push(after);
    } while (after);
    const rows = education.all<{
      grade: number;
      student_number: string;
      id_number: string;
      birth_date: string;
      roster_key: string;
    }>(
      'SELECT grade, student_number, id_number, birth_date, roster_key FROM students WHERE school_code = ? ORDER BY roster_key',
      [haidianSchool],
    );
    expect(grades).toEqual(rows.map((row) => row.grade));
    expect(cursors.length).toBeGreaterThanOrEqual(2);
    const readable = cursors.join('\n') + '\n' + decodedRuns(cursors.join(' '));
    for (const row of rows) {
      // Not even the sort key, random as it is: the agency's own column, sealed like any other.
      for (const secret of [
        row.student_number,
        row.id_number,
        row.id_number.slice(6, 14),
        row.birth_date,
        row.roster_key,
      ])
        expect(readable).not.toContain(secret);
    }
  });

  it('refuse a cursor from another row scope, altered, truncated or garbage with 400 INVALID_CURSOR', async () => {
    const scoped = (await ask('haidian', ROSTER, { code: haidianSchool })).body.data!.school.students.pageInfo
      .endCursor as string;
    const unscoped = (await ask('analytics', ROSTER, { code: haidianSchool })).body.data!.school.students.pageInfo
      .endCursor as string;
    // Each opens for its own row scope…
    expect((await ask('haidian', ROSTER, { code: haidianSchool, after: scoped })).status).toBe(200);
    expect((await ask('analytics', ROSTER, { code: haidianSchool, after: unscoped })).status).toBe(200);
    // …and not for the other one.
    expectInvalidCursor(await ask('analytics', ROSTER, { code: haidianSchool, after: scoped }));
    expectInvalidCursor(await ask('haidian', ROSTER, { code: haidianSchool, after: unscoped }));
    const flipped = scoped.slice(0, 30) + (scoped[30] === 'A' ? 'B' : 'A') + scoped.slice(31);
    for (const bad of [
      flipped,
      scoped.slice(0, -3),
      'garbage',
      Buffer.from('k2:abcdefghij:G110108201909213870').toString('base64url'),
      'x'.repeat(5000),
    ]) {
      expectInvalidCursor(await ask('haidian', ROSTER, { code: haidianSchool, after: bad }));
    }
    // Another list's cursor, even under the same row scope: the list of schools refuses the roster's.
    expectInvalidCursor(
      await ask('analytics', 'query ($after: String) { schools(first: 1, after: $after) { nodes { name } } }', {
        after: unscoped,
      }),
    );
  });

  it('serve cached pages whose cursors open for another consumer with the same row scope, and for no other', async () => {
    const SCHOOLS = (name: string) =>
      `query ${name}($after: String) { schools(first: 4, after: $after) { nodes { code } pageInfo { endCursor } } }`;
    const codes = education
      .all<{ code: string }>('SELECT code FROM schools ORDER BY code LIMIT 8')
      .map((row) => row.code);
    const first = await ask('analytics', SCHOOLS('Schools'));
    expect(first.body.data!.schools.nodes.map((node: { code: string }) => node.code)).toEqual(codes.slice(0, 4));
    const cursor = first.body.data!.schools.pageInfo.endCursor as string;

    // The response cache: the same operation for another consumer with the same view and no row scope.
    const cached = await ask('science', SCHOOLS('Schools'));
    expect(cached.body.data!.schools.pageInfo.endCursor).toBe(cursor);
    // The root-field fetch cache: another operation name (another response-cache key), the same subgraph fetch.
    const fetched = await ask('science', SCHOOLS('SchoolsAgain'));
    expect(fetched.body.data!.schools.pageInfo.endCursor).toBe(cursor);

    for (const who of ['science', 'analytics'] as const) {
      const next = await ask(who, SCHOOLS('NextSchools'), { after: cursor });
      expect(next.status).toBe(200);
      expect(next.body.data!.schools.nodes.map((node: { code: string }) => node.code)).toEqual(codes.slice(4, 8));
    }

    // A call carrying a row scope (Haidian's roster grant) seals the list's cursor for that scope:
    // it pages on for Haidian, and for a consumer without the scope it is no cursor at all.
    const SCOPED =
      'query ($after: String) { schools(districtCode: "110108", first: 2, after: $after) { nodes { code students(first: 1) { totalCount } } pageInfo { endCursor } } }';
    const haidianCursor = (await ask('haidian', SCOPED)).body.data!.schools.pageInfo.endCursor as string;
    const onward = await ask('haidian', SCOPED, { after: haidianCursor });
    expect(onward.status).toBe(200);
    expect(onward.body.errors).toBeUndefined();
    expectInvalidCursor(await ask('analytics', SCOPED, { after: haidianCursor }));
  });
});
