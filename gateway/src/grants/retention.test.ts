import { DEFAULT_CALENDAR_FILE, DEFAULT_CONSUMERS_FILE } from '../config';
import { loadPolicySet } from '../policy';
import { FIXTURE_POLICY_DIR, supergraph } from '../policy/policyFixtures.test-helpers';
import { approveRequest, revokeGrant } from './grantDecisions';
import { emptyGrantStore } from './grantStore';
import { requestGrant } from './grantWorkflow';
import { runtimeGrantInputs } from './grantViews';
import type { GrantStoreState } from './model';
import { addDays, attestDeletion, deletionAttestations, endedGrants, type EndedGrant } from './retention';
import { loadWorkCalendar } from './workingDays';
import { GrantWorkflowError, type WorkflowContext } from './workflowSteps';

// Time-bound holding: once a grant with retainDays ends, the consumer owes a deletion attestation
// by the end date + retainDays. Every step runs on a clock of the test's own.

const calendar = loadWorkCalendar(DEFAULT_CALENDAR_FILE);
const sources = { policyDir: FIXTURE_POLICY_DIR, consumersFile: DEFAULT_CONSUMERS_FILE };

function at(now: string, state: GrantStoreState = emptyGrantStore()): WorkflowContext {
  const { policySet } = loadPolicySet(sources, supergraph, {
    runtimeGrants: runtimeGrantInputs(state, 'store'),
    now: Date.parse(now),
  });
  return { policySet: policySet!, calendar, now: new Date(now) };
}

/** A store grant of Teacher.* to district-haidian, approved on 2026-11-02, kept 30 days after it ends. */
function approved(options: { retainDays?: number; until?: string } = {}): GrantStoreState {
  const when = '2026-11-02T10:00:00+08:00';
  const filed = requestGrant(emptyGrantStore(), at(when), {
    consumer: 'district-haidian',
    fields: ['Teacher.*'],
    purpose: 'enrollment-planning',
    reason: 'staffing plan',
    requestedBy: 'haidian-app',
    until: options.until ?? '2027-06-30',
  });
  return approveRequest(filed.state, at(when, filed.state), filed.result.id, {
    by: '王丽 (CDO)',
    ...('retainDays' in options
      ? options.retainDays === undefined
        ? {}
        : { retainDays: options.retainDays }
      : { retainDays: 30 }),
  }).state;
}

function revoked(state: GrantStoreState, on: string): GrantStoreState {
  return revokeGrant(state, at(on, state), state.grants[0]!.id, { by: '王丽 (CDO)', reason: 'plan finished' }).state;
}

const owed = (state: GrantStoreState, now: string) => {
  const context = at(now, state);
  return deletionAttestations(
    endedGrants(state, context.policySet, now.slice(0, 10)),
    state.attestations,
    now.slice(0, 10),
  );
};

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof GrantWorkflowError ? `${error.code}: ${error.message}` : String(error);
  }
  return 'no refusal';
};

describe('deletion attestations', () => {
  it('are owed by nobody while the grant is in force, nor for a grant without retainDays', () => {
    expect(owed(approved(), '2026-11-20T10:00:00+08:00')).toEqual([]);
    expect(
      owed(revoked(approved({ retainDays: undefined }), '2026-11-20T10:00:00+08:00'), '2026-11-21T10:00:00+08:00'),
    ).toEqual([]);
  });

  it('become due when a grant is revoked, by its revocation day + retainDays, then overdue', () => {
    const state = revoked(approved(), '2026-11-20T10:00:00+08:00');
    expect(owed(state, '2026-11-21T10:00:00+08:00')).toEqual([
      expect.objectContaining({
        id: state.grants[0]!.id,
        consumer: 'district-haidian',
        agency: 'education',
        how: 'revoked',
        ended: '2026-11-20',
        retainDays: 30,
        dueBy: '2026-12-20',
        status: 'due',
      }),
    ]);
    expect(owed(state, '2026-12-20T23:00:00+08:00')[0]!.status).toBe('due');
    expect(owed(state, '2026-12-21T08:00:00+08:00')[0]!.status).toBe('overdue');
  });

  it('become due when a grant expires, from its last day of validity', () => {
    const state = approved({ until: '2026-11-30', retainDays: 0 });
    expect(owed(state, '2026-11-30T20:00:00+08:00')).toEqual([]);
    expect(owed(state, '2026-12-01T09:00:00+08:00')).toEqual([
      expect.objectContaining({ how: 'expired', ended: '2026-11-30', dueBy: '2026-11-30', status: 'overdue' }),
    ]);
  });

  it('are attested by the consumer once the grant has ended, once, and audited as a workflow step', () => {
    const state = revoked(approved(), '2026-11-20T10:00:00+08:00');
    const grantId = state.grants[0]!.id;
    const late = '2026-12-22T10:00:00+08:00';
    const step = attestDeletion(state, at(late, state), {
      grantId,
      consumer: 'district-haidian',
      by: '张伟 (haidian-app)',
      note: 'roster extracts wiped from the planning share',
    });
    expect(step.result).toMatchObject({ grantId, agency: 'education', consumer: 'district-haidian' });
    expect(step.state.events.at(-1)).toMatchObject({
      action: 'deletion-attested',
      actor: '张伟 (haidian-app)',
      grantId,
      reason: expect.stringContaining('due by 2026-12-20 (late)'),
    });
    expect(owed(step.state, late)).toEqual([
      expect.objectContaining({ status: 'attested', attested: expect.objectContaining({ on: '2026-12-22' }) }),
    ]);
    expect(
      refusal(() =>
        attestDeletion(step.state, at(late, step.state), { grantId, consumer: 'district-haidian', by: 'x' }),
      ),
    ).toMatch(/^GRANT_CONFLICT: deletion under .* was attested on 2026-12-22/);
  });

  it("are refused for a grant in force, one without retention, and another consumer's grant", () => {
    const inForce = approved();
    const grantId = inForce.grants[0]!.id;
    const now = '2026-11-21T10:00:00+08:00';
    expect(
      refusal(() => attestDeletion(inForce, at(now, inForce), { grantId, consumer: 'district-haidian', by: 'x' })),
    ).toMatch(/^GRANT_CONFLICT: .* is still in force/);
    const plain = revoked(approved({ retainDays: undefined }), '2026-11-20T10:00:00+08:00');
    expect(
      refusal(() =>
        attestDeletion(plain, at(now, plain), { grantId: plain.grants[0]!.id, consumer: 'district-haidian', by: 'x' }),
      ),
    ).toMatch(/^GRANT_CONFLICT: .* states no retention period/);
    const ended = revoked(approved(), '2026-11-20T10:00:00+08:00');
    expect(refusal(() => attestDeletion(ended, at(now, ended), { grantId, consumer: 'city-analytics', by: 'x' }))).toBe(
      `GRANT_NOT_FOUND: no grant "${grantId}" held by city-analytics`,
    );
  });

  it('list overdue first, then by the date due, attested last', () => {
    const ended = (
      id: string,
      on: string,
      how: EndedGrant['how'],
      retainDays: number,
      source: EndedGrant['source'] = 'grant-store',
    ): EndedGrant => ({
      id,
      agency: 'e',
      consumer: 'c',
      purposes: [],
      fields: [],
      source,
      ended: on,
      how,
      retainDays,
      requestId: id,
    });
    const rows = deletionAttestations(
      [
        ended('A', '2026-11-01', 'revoked', 60),
        ended('B', '2026-11-01', 'expired', 5),
        ended('C', '2026-10-01', 'expired', 1, 'policy-file'),
      ],
      [{ grantId: 'C', agency: 'e', consumer: 'c', attestedAt: '2026-10-02T01:00:00.000Z', attestedBy: 'c' }],
      '2026-11-27',
    );
    expect(rows.map((r) => [r.id, r.status, r.dueBy])).toEqual([
      ['B', 'overdue', '2026-11-06'],
      ['A', 'due', '2026-12-31'],
      ['C', 'attested', '2026-10-02'],
    ]);
  });

  it('count calendar days across months and years', () => {
    expect(addDays('2026-12-20', 30)).toBe('2027-01-19');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  });
});
