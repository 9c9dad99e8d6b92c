import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PUPILS, SCHOOLS, startArgumentsGraphHub, type ArgumentsGraphHub } from './argumentsGraphHub.test-helpers';

// The test graph served for real (HTTP subgraph, the gateway's whole request path): a denied
// argument's value never reaches the agency nor shapes the answer, and small counts are
// withheld from each view after the caches.
let hub: ArgumentsGraphHub;
beforeAll(async () => {
  hub = await startArgumentsGraphHub();
});
afterAll(async () => {
  await hub?.stop();
});

const codes = (body: { errors?: { extensions?: Record<string, any> }[] }) =>
  (body.errors ?? []).map((e) => e.extensions?.code);
const DENIED_VIEWS = [
  ['science', 'industrial-policy'],
  ['district-haidian', 'enrollment-planning'],
  [undefined, undefined],
] as const;

describe('a denied argument never lets its value influence the answer', () => {
  const idNumbers = fc.oneof(
    fc.constantFrom(...PUPILS.map((p) => p.idNumber)),
    fc.string({ minLength: 1, maxLength: 20 }),
  );

  it('by identity number, as a variable or a literal: same answer, and the agency never sees it', async () => {
    const query = 'query ($id: String!) { studentByIdNumber(idNumber: $id) { name grade } schools { code } }';
    const literal = (id: string) =>
      `{ studentByIdNumber(idNumber: ${JSON.stringify(id)}) { name grade } schools { code } }`;
    const reference = new Map<string, string>();
    for (const [who, purpose] of DENIED_VIEWS) {
      const { body } = await hub.ask(who, purpose, query, { id: 'reference' });
      expect(body.data!.studentByIdNumber).toBeNull();
      expect(body.errors).toEqual([
        expect.objectContaining({
          extensions: expect.objectContaining({
            code: 'ARGUMENT_NOT_SHARED',
            coordinate: 'Query.studentByIdNumber(idNumber)',
            agency: 'education',
          }),
        }),
      ]);
      reference.set(String(who), JSON.stringify(body));
    }
    await fc.assert(
      fc.asyncProperty(
        idNumbers,
        fc.constantFrom(...DENIED_VIEWS),
        fc.boolean(),
        async (id, [who, purpose], asVariable) => {
          const seen = hub.received.length;
          const { body } = asVariable
            ? await hub.ask(who, purpose, query, { id })
            : await hub.ask(who, purpose, literal(id));
          expect(JSON.stringify(body)).toBe(reference.get(String(who)));
          expect(hub.received.slice(seen).join('\n')).not.toContain(JSON.stringify(id).slice(1, -1));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('by health status or order: the same answer whichever value is given', async () => {
    const filtered =
      'query ($h: HealthStatus, $o: StudentOrder) { students(healthStatus: $h) { totalCount } ordered: students(orderBy: $o) { totalCount } all: students { totalCount } }';
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...DENIED_VIEWS),
        fc.constantFrom('HEALTHY', 'FOLLOW_UP'),
        fc.constantFrom('NAME', 'GRADE', 'ID_NUMBER'),
        async ([who, purpose], h, o) => {
          const { body } = await hub.ask(who, purpose, filtered, { h, o });
          expect(body.data).toEqual({ students: null, ordered: null, all: { totalCount: PUPILS.length } });
          expect(codes(body)).toEqual(['ARGUMENT_NOT_SHARED', 'ARGUMENT_NOT_SHARED']);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('while a consumer holding the value in clear may filter by it, and the audit records the argument', async () => {
    const { body } = await hub.ask(
      'city-analytics',
      'statistics',
      '{ students(healthStatus: FOLLOW_UP, first: 100) { totalCount nodes { healthStatus } } }',
    );
    expect(body.errors).toBeUndefined();
    const followUp = PUPILS.filter((p) => p.healthStatus === 'FOLLOW_UP');
    expect(body.data.students.totalCount).toBe(followUp.length);
    expect(body.data.students.nodes.every((n: { healthStatus: string }) => n.healthStatus === 'FOLLOW_UP')).toBe(true);
    const auditDir = join(hub.dataDir, 'audit');
    const records = readdirSync(auditDir)
      .filter((f) => f.startsWith('audit-'))
      .flatMap((f) => readFileSync(join(auditDir, f), 'utf8').trim().split('\n'))
      .map(
        (line) =>
          JSON.parse(line) as {
            consumer?: string;
            agencies?: Record<string, { released: string[]; denied: string[] }>;
          },
      );
    const last = records.filter((r) => r.consumer === 'city-analytics').at(-1)!;
    expect(last.agencies!.education!.released).toContain('Query.students(healthStatus)');
  });
});

describe('small counts', () => {
  const counts = '{ schools { code studentCount } }';
  const trueCounts = SCHOOLS.map((s) => ({ code: s.code, studentCount: s.size }));

  it('are thresholded after the cache, for every view that shares the cached answer', async () => {
    const own = await hub.ask('education', 'operations', counts);
    expect(own.headers.get('x-cache')).toBe('MISS');
    expect(own.body).toEqual({ data: { schools: trueCounts } });
    for (const [who, purpose] of [
      ['science', 'industrial-policy'],
      [undefined, undefined],
      ['city-analytics', 'statistics'],
    ] as const) {
      const { headers, body } = await hub.ask(who, purpose, counts);
      expect(headers.get('x-cache')).toBe('HIT');
      // 4 is withheld, 5 shown, 0 shown.
      expect(body.data.schools).toEqual(
        trueCounts.map((s) => (s.studentCount > 0 && s.studentCount < 5 ? { ...s, studentCount: null } : s)),
      );
      expect(body.errors).toEqual([
        expect.objectContaining({
          path: ['schools', 1, 'studentCount'],
          extensions: expect.objectContaining({
            code: 'SMALL_COUNT_WITHHELD',
            coordinate: 'School.studentCount',
            minCount: 5,
            agency: 'education',
          }),
        }),
      ]);
    }
    const again = await hub.ask('education', 'operations', counts);
    expect([again.headers.get('x-cache'), again.body]).toEqual(['HIT', { data: { schools: trueCounts } }]);
  });

  it('withhold a small roster whole, whether or not its count was asked', async () => {
    const { body } = await hub.ask(
      'city-analytics',
      'statistics',
      '{ schools { code students(first: 20) { nodes { grade } } } }',
    );
    const rosters = body.data.schools.map((s: { students: { nodes: unknown[] } | null }) =>
      s.students === null ? null : s.students.nodes.length,
    );
    expect(rosters).toEqual([12, null, 5, 0]);
    expect(codes(body)).toEqual(['SMALL_COUNT_WITHHELD']);
    const own = await hub.ask('education', 'operations', '{ schools { code students(first: 20) { totalCount } } }');
    expect(own.body.data.schools.map((s: { students: { totalCount: number } }) => s.students.totalCount)).toEqual([
      12, 4, 5, 0,
    ]);
  });

  it("refuses the gateway's reserved aliases, so a client cannot answer the count probe itself", async () => {
    for (const field of ['__typename', 'pageInfo { hasNextPage }']) {
      const { status, body } = await hub.ask(
        'city-analytics',
        'statistics',
        `{ schools { code students(first: 20) { hubCount__totalCount: ${field} nodes { grade } } } }`,
      );
      expect(status).toBe(400);
      expect(body.data).toBeUndefined();
      expect(body.errors).toEqual([
        expect.objectContaining({
          extensions: expect.objectContaining({ code: 'RESERVED_ALIAS', alias: 'hubCount__totalCount' }),
        }),
      ]);
    }
    // In a fragment too, and for the concrete-type alias.
    const fragment = await hub.ask(
      'city-analytics',
      'statistics',
      '{ schools { ...S } } fragment S on School { hubConcreteType__typename: __typename code }',
    );
    expect(codes(fragment.body)).toEqual(['RESERVED_ALIAS']);
  });
});
