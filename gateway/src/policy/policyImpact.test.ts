import { policyImpact, type RecentOperation } from './policyImpact';
import { compileYaml, fixturePolicies } from './policyFixtures.test-helpers';

// The impact preview's engine (issue 18, item 1): the policy in force against a changed one, over
// the operations consumers recently sent, on the fixture policies.

const now = Date.parse('2026-11-27T12:00:00+08:00');
const inForce = () => compileYaml(fixturePolicies(), now).policySet!;
const changed = (edit: (education: string) => string) => {
  const compiled = compileYaml(
    { ...fixturePolicies(), 'education.yaml': edit(fixturePolicies()['education.yaml']!) },
    now,
  );
  if (!compiled.policySet) throw new Error(compiled.problems.map((p) => p.message).join('\n'));
  return compiled.policySet;
};
const operation = (name: string, text: string, ...senders: [string, string | null, number][]): RecentOperation => ({
  hash: `hash-${name}`,
  name,
  text,
  senders: senders.map(([consumer, purpose, count]) => ({ consumer, purpose, count })),
});

const rosterStats = operation(
  'RosterStats',
  'query RosterStats { school(code: "2111000001") { name students(first: 10) { totalCount nodes { grade gender } } } }',
  ['city-analytics', 'statistics', 7],
);
const schoolCard = operation(
  'SchoolCard',
  'query SchoolCard { school(code: "2111000001") { code name address } }',
  ['science', 'industrial-policy', 3],
  ['city-analytics', 'statistics', 2],
);
const staffList = operation(
  'StaffList',
  'query StaffList { school(code: "2111000001") { name teachers { nodes { name title } } } }',
  ['city-analytics', 'statistics', 4],
);

describe('policyImpact', () => {
  it('finds no change when the policy is the same', () => {
    const impact = policyImpact(inForce(), inForce(), [rosterStats, schoolCard, staffList], now);
    expect(impact).toMatchObject({ changes: [], blanked: [], unreachable: [], unusableGrants: [], operations: 3 });
  });

  it("names the consumer whose operation would lose a field when a grant's field is dropped", () => {
    const after = changed((text) => text.replace('      - Student.gender\n', ''));
    const impact = policyImpact(inForce(), after, [rosterStats, schoolCard], now);
    expect(impact.changes).toEqual([
      {
        consumer: 'city-analytics',
        purpose: 'statistics',
        operation: { hash: 'hash-RosterStats', name: 'RosterStats' },
        count: 7,
        coordinate: 'Student.gender',
        before: 'allow',
        after: 'deny GRANT_REQUIRED',
        change: 'withheld',
        paths: ['school.students.nodes.gender'],
      },
    ]);
    // Student.gender is nullable: nothing above it is blanked.
    expect(impact.blanked).toEqual([]);
  });

  it('reports masked and unmasked fields', () => {
    const after = changed((text) =>
      text.replace(
        '      - Student.grade\n      - Student.gender',
        '      - Student.grade: round(5)\n      - Student.gender',
      ),
    );
    const impact = policyImpact(inForce(), after, [rosterStats], now);
    expect(impact.changes.map((c) => [c.coordinate, c.before, c.after, c.change])).toEqual([
      ['Student.grade', 'allow', 'mask round(5)', 'masked'],
    ]);
    const back = policyImpact(after, inForce(), [rosterStats], now);
    expect(back.changes.map((c) => c.change)).toEqual(['unmasked']);
  });

  it('names the objects that would become null through a non-null field, per consumer', () => {
    const after = changed((text) =>
      text.replace(
        '      name: { class: UNCONDITIONAL, level: L1, open: OPEN }\n',
        '      name: { class: UNCONDITIONAL, level: L1, open: OPEN }\n      address: { class: CONDITIONAL, level: L2, allowBlanking: true }\n',
      ),
    );
    const impact = policyImpact(inForce(), after, [schoolCard], now);
    expect(impact.changes.map((c) => [c.consumer, c.coordinate, c.change])).toEqual([
      ['science', 'School.address', 'withheld'],
      ['city-analytics', 'School.address', 'withheld'],
    ]);
    expect(impact.blanked).toEqual([
      expect.objectContaining({ consumer: 'science', coordinate: 'School.address', nulled: ['school'] }),
      expect.objectContaining({ consumer: 'city-analytics', coordinate: 'School.address', nulled: ['school'] }),
    ]);
  });

  it('names requested fields unreachable without a parent grant, and grants that cannot be used', () => {
    const after = changed(
      (text) =>
        `${text}\n  - id: EDU-TEST-TEACHERS\n    consumer: city-analytics\n    purposes: [statistics]\n    fields: [Teacher.name]\n    expires: 2027-12-31\n    approvedBy: CDO\n`,
    );
    const impact = policyImpact(inForce(), after, [staffList], now);
    expect(impact.changes.map((c) => [c.coordinate, c.change])).toEqual([['Teacher.name', 'released']]);
    expect(impact.unreachable).toEqual([
      expect.objectContaining({ consumer: 'city-analytics', coordinate: 'Teacher.name', missing: ['School.teachers'] }),
    ]);
    expect(impact.unusableGrants).toEqual([
      expect.objectContaining({ grant: 'EDU-TEST-TEACHERS', typeName: 'Teacher', missing: ['School.teachers'] }),
    ]);
  });

  it('skips operations that no longer validate, saying why, and consumers no longer registered', () => {
    const impact = policyImpact(
      inForce(),
      inForce(),
      [
        operation('Gone', '{ school(code: "1") { nosuchfield } }', ['science', null, 1]),
        operation('Ghost', '{ schools { totalCount } }', ['nobody', null, 1]),
      ],
      now,
    );
    expect(impact.skipped.map((s) => [s.name, s.reason])).toEqual([
      ['Gone', expect.stringContaining('nosuchfield')],
      ['Ghost', 'consumer nobody is no longer registered'],
    ]);
  });
});
