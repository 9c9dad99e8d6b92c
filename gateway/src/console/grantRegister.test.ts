import type { GrantStoreState } from '../grants';
import { compileYaml, fixturePolicies } from '../policy/policyFixtures.test-helpers';
import { grantRegister } from './grantRegister';

const policySet = compileYaml(fixturePolicies()).policySet!;

const storeGrant = (id: string, expires: string, agency = 'education') => ({
  id: `GRANT-2026-${id}`,
  agency,
  consumer: 'city-analytics',
  purposes: ['statistics'],
  fields: [{ 'Student.name': 'name' }, 'Student.grade'],
  expires,
  approvedBy: 'education-cdo',
  approvedAt: '2026-11-02T02:00:00.000Z',
  requestId: `REQ-2026-${id}`,
});
const filed = (
  id: string,
  seq: number,
  action: 'requested' | 'approved' | 'revoked',
  actor: string,
  reason?: string,
) => ({
  seq,
  at: `2026-11-0${seq}T02:00:00.000Z`,
  action,
  actor,
  agency: 'education',
  consumer: 'city-analytics',
  purpose: 'statistics',
  fields: ['Student.name'],
  requestId: `REQ-2026-${id}`,
  ...(reason ? { reason } : {}),
});

const state: GrantStoreState = {
  storeId: 'test',
  revision: 5,
  requests: [],
  grants: [
    {
      ...storeGrant('0001', '2027-01-31'),
      revoked: { by: 'education-cdo', at: '2026-11-03T02:00:00.000Z', reason: 'done' },
    },
    storeGrant('0002', '2026-11-30'),
    storeGrant('0003', '2027-01-31', 'science'),
  ],
  events: [
    filed('0001', 1, 'requested', 'city-analytics', 'class sizes'),
    filed('0001', 2, 'approved', 'education-cdo'),
    filed('0001', 3, 'revoked', 'education-cdo', 'done'),
    filed('0002', 4, 'requested', 'city-analytics'),
    filed('0002', 5, 'approved', 'education-cdo'),
  ],
  attestations: [],
};

describe("an agency's grant register", () => {
  it('holds the policy file and the store, marked by source, in force first, with history', () => {
    const register = grantRegister(policySet, state, 'education', new Date('2026-12-04T04:00:00Z'));
    expect(register.map((g) => [g.id, g.source, g.status])).toEqual([
      ['EDU-2026-001', 'policy-file', 'in-force'],
      ['EDU-2026-002', 'policy-file', 'in-force'],
      ['GRANT-2026-0002', 'grant-store', 'expired'],
      ['GRANT-2026-0001', 'grant-store', 'revoked'],
    ]);
    expect(register[0]).toMatchObject({
      location: expect.stringMatching(/education\.yaml:\d+$/),
      scope: { districtCode: '110108' },
    });
    expect(register[3]!.fields).toEqual([
      { coordinate: 'Student.name', mask: 'name' },
      { coordinate: 'Student.grade' },
    ]);
    expect(register[3]!.history.map((s) => s.action)).toEqual(['requested', 'approved', 'revoked']);
    expect(register[2]!.history.map((s) => s.action)).toEqual(['requested', 'approved', 'expired']);
  });

  it('counts an expiry as a Beijing date, valid through that day', () => {
    // 2026-11-30 23:30 in Beijing is still the last day of GRANT-2026-0002.
    const lastEvening = grantRegister(policySet, state, 'education', new Date('2026-11-30T15:30:00Z'));
    expect(lastEvening.find((g) => g.id === 'GRANT-2026-0002')!.status).toBe('in-force');
    const nextMorning = grantRegister(policySet, state, 'education', new Date('2026-11-30T16:30:00Z'));
    expect(nextMorning.find((g) => g.id === 'GRANT-2026-0002')!.status).toBe('expired');
  });

  it('marks the deletion attestation an ended grant with a holding period owes, and its attestation', () => {
    const held: GrantStoreState = {
      ...state,
      grants: state.grants.map((g) => (g.id === 'GRANT-2026-0001' ? { ...g, retainDays: 10, requireCase: true } : g)),
    };
    const owed = grantRegister(policySet, held, 'education', new Date('2026-12-04T04:00:00Z'));
    // Revoked on 3 November, kept at most 10 days: due by 13 November, overdue on 4 December.
    expect(owed.find((g) => g.id === 'GRANT-2026-0001')).toMatchObject({
      requireCase: true,
      retainDays: 10,
      deletion: { dueBy: '2026-11-13', status: 'overdue' },
    });
    expect(owed.find((g) => g.id === 'GRANT-2026-0002')!.deletion).toBeUndefined();
    const attested = grantRegister(
      policySet,
      {
        ...held,
        attestations: [
          {
            grantId: 'GRANT-2026-0001',
            agency: 'education',
            consumer: 'city-analytics',
            attestedAt: '2026-11-20T02:00:00.000Z',
            attestedBy: 'city-analytics',
          },
        ],
      },
      'education',
      new Date('2026-12-04T04:00:00Z'),
    );
    expect(attested.find((g) => g.id === 'GRANT-2026-0001')!.deletion).toEqual({
      dueBy: '2026-11-13',
      status: 'attested',
      attestedOn: '2026-11-20',
    });
  });

  it("lists nothing of another agency's", () => {
    const register = grantRegister(policySet, state, 'development-reform', new Date('2026-12-04T04:00:00Z'));
    expect(register.length).toBeGreaterThan(0);
    expect(register.every((g) => g.source === 'policy-file' && g.id.startsWith('DRC-'))).toBe(true);
  });
});
