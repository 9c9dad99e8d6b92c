import { DEFAULT_CALENDAR_FILE, DEFAULT_CONSUMERS_FILE } from '../config';
import { loadPolicySet } from '../policy';
import { FIXTURE_POLICY_DIR, supergraph } from '../policy/policyFixtures.test-helpers';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileGrantStore } from './grantStore';
import { GrantService, policyGrantChecker } from './grantService';
import { loadWorkCalendar } from './workingDays';

// A request (and its approval) for fields the consumer cannot reach says which parent fields it
// lacks and how to ask for them, instead of succeeding silently (issue 18, item 2).

const sources = { policyDir: FIXTURE_POLICY_DIR, consumersFile: DEFAULT_CONSUMERS_FILE };
const now = () => new Date('2026-11-27T10:00:00+08:00');
const service = () =>
  new GrantService({
    store: new FileGrantStore(mkdtempSync(join(tmpdir(), 'grants-'))),
    policySet: () => loadPolicySet(sources, supergraph, { now: now().getTime() }).policySet!,
    calendar: loadWorkCalendar(DEFAULT_CALENDAR_FILE),
    checkGrant: policyGrantChecker(sources, supergraph),
    now,
  });
const ask = (fields: string[]) => ({
  consumer: 'city-analytics',
  fields,
  purpose: 'statistics',
  reason: 'teacher qualifications by district',
  requestedBy: 'analyst',
  until: '2027-06-30',
});

describe('requests and approvals for fields under a withheld parent', () => {
  it('warns on the request, naming the parent and the request that covers it', async () => {
    const step = await service().request(ask(['Teacher.name']));
    expect(step.warnings).toEqual([
      'city-analytics cannot reach a Teacher without School.teachers, which this request does not name: ask for School.teachers too (hub grant request --consumer city-analytics --fields School.teachers --purpose statistics --reason "…")',
    ]);
  });

  it('says nothing when the request names the parent too', async () => {
    expect((await service().request(ask(['School.teachers', 'Teacher.name']))).warnings).toEqual([]);
  });

  it('warns on the approval: the grant would be in force and could not be used', async () => {
    const grants = service();
    const { result } = await grants.request(ask(['Teacher.name']));
    const approved = await grants.approve(result.id, { by: '王丽' });
    expect(approved.warnings).toEqual([
      expect.stringMatching(
        /^grant "GRANT-2026-0001" releases Teacher\.name to city-analytics, who cannot reach a Teacher without School\.teachers: the grant cannot be used \(also grant School\.teachers: hub grant request/,
      ),
    ]);
  });

  it('approves with the missing parent added, and nothing else the request did not name', async () => {
    const grants = service();
    const { result } = await grants.request(ask(['Teacher.name']));
    await expect(grants.approve(result.id, { by: '王丽', addFields: ['Student.idNumber'] })).rejects.toThrow(
      /Student\.idNumber is not a parent field city-analytics lacks to reach the requested fields \(School\.teachers\)/,
    );
    const approved = await grants.approve(result.id, { by: '王丽', addFields: ['School.teachers'] });
    expect(approved.result.fields).toEqual(['Teacher.name', 'School.teachers']);
    expect(approved.warnings).toEqual([]);
    // The audit trail's approval names both fields and says the parent was added.
    const event = (await grants.store.read()).events.at(-1)!;
    expect(event).toMatchObject({ action: 'approved', fields: ['Teacher.name', 'School.teachers'] });
    expect(event.reason).toMatch(/^parent fields added: School\.teachers; expires 2027-06-30$/);
  });
});
