import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CALENDAR_FILE } from '../config';
import { decideField, loadPolicySet } from '../policy';
import { FIXTURE_POLICY_DIR, consumer, fixturePolicies, supergraph } from '../policy/policyFixtures.test-helpers';
import { DEFAULT_CONSUMERS_FILE } from '../config';
import { FileGrantStore, emptyGrantStore } from './grantStore';
import { GrantService, policyGrantChecker } from './grantService';
import { approveRequest, refuseRequest, revokeGrant } from './grantDecisions';
import { requestGrant } from './grantWorkflow';
import { GrantWorkflowError, type WorkflowContext } from './workflowSteps';
import { listRequests, runtimeGrantInputs } from './grantViews';
import { loadWorkCalendar } from './workingDays';

const calendar = loadWorkCalendar(DEFAULT_CALENDAR_FILE);
const sources = { policyDir: FIXTURE_POLICY_DIR, consumersFile: DEFAULT_CONSUMERS_FILE };
void fixturePolicies;

function context(now = '2026-11-27T10:00:00+08:00', runtime = emptyGrantStore()): WorkflowContext {
  const { policySet } = loadPolicySet(sources, supergraph, {
    runtimeGrants: runtimeGrantInputs(runtime, 'store'),
    now: Date.parse(now),
  });
  return { policySet: policySet!, calendar, now: new Date(now) };
}

const teachers = {
  consumer: 'district-haidian',
  fields: ['Teacher.*'],
  purpose: 'enrollment-planning',
  reason: 'staffing plan for the new schools',
  requestedBy: 'haidian-app',
  until: '2027-06-30',
};

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof GrantWorkflowError ? `${error.code}: ${error.message}` : String(error);
  }
  return 'no refusal';
};

describe('grant workflow', () => {
  it('files a request owned by the agency resolving the fields, due in 10 working days', () => {
    const step = requestGrant(emptyGrantStore(), context(), { ...teachers, fields: ['Teacher.*', 'School.name'] });
    expect(step.result).toMatchObject({
      id: 'REQ-2026-0001',
      agency: 'education',
      fields: ['Teacher.*'],
      status: 'pending',
      deadline: '2026-12-11',
    });
    expect(step.warnings).toEqual([expect.stringMatching(/School.name is UNCONDITIONAL/)]);
    expect(step.state.events).toMatchObject([
      { seq: 1, action: 'requested', actor: 'haidian-app', requestId: 'REQ-2026-0001' },
    ]);
    // Over the National Day holidays the deadline moves (make-up Saturday 10 October counts).
    expect(requestGrant(emptyGrantStore(), context('2026-09-22T10:00:00+08:00'), teachers).result.deadline).toBe(
      '2026-10-13',
    );
  });

  it('refuses NOT_SHARED fields at once, recording the legal basis the policy gives', () => {
    const step = requestGrant(emptyGrantStore(), context(), {
      ...teachers,
      fields: ['Student.idNumber', 'Student.name'],
    });
    expect(step.result.status).toBe('refused');
    expect(step.result.decision).toMatchObject({
      by: 'policy',
      reason: expect.stringMatching(/Student.idNumber is NOT_SHARED: PIPL art. 28.*education.yaml:\d+/),
    });
    expect(step.state.events.map((e) => e.action)).toEqual(['requested', 'refused']);
  });

  it('checks consumer, purpose, fields, owners, scope and dates', () => {
    const base = emptyGrantStore();
    expect(refusal(() => requestGrant(base, context(), { ...teachers, consumer: 'nobody' }))).toMatch(
      /GRANT_REQUEST_INVALID: unknown consumer "nobody"/,
    );
    expect(refusal(() => requestGrant(base, context(), { ...teachers, purpose: 'statistics' }))).toMatch(
      /may not state purpose "statistics"/,
    );
    expect(refusal(() => requestGrant(base, context(), { ...teachers, fields: ['Student.nam'] }))).toMatch(
      /unknown field Student.nam/,
    );
    expect(
      refusal(() =>
        requestGrant(base, context(), { ...teachers, fields: ['Teacher.*', 'InvestmentProject.contactName'] }),
      ),
    ).toMatch(/different agencies.*one request per agency/);
    expect(
      refusal(() => requestGrant(base, context(), { ...teachers, consumer: 'education', purpose: 'operations' })),
    ).toMatch(/reads its data in full/);
    expect(refusal(() => requestGrant(base, context(), { ...teachers, scope: { city: 'x' } }))).toMatch(
      /unknown scope "city"/,
    );
    expect(refusal(() => requestGrant(base, context(), { ...teachers, until: '2026-02-30' }))).toMatch(
      /--until "2026-02-30"/,
    );
    expect(refusal(() => requestGrant(base, context(), { ...teachers, reason: ' ' }))).toMatch(/give a reason/);
  });

  it('approves with masks and expiry, refuses with a reason, and decides each request once', () => {
    const filed = requestGrant(emptyGrantStore(), context(), {
      ...teachers,
      fields: ['Student.name', 'Student.grade'],
      until: undefined as unknown as string,
    });
    expect(refusal(() => approveRequest(filed.state, context(), 'REQ-2026-0001', { by: '王丽' }))).toMatch(
      /give one \(--expires/,
    );
    expect(
      refusal(() =>
        approveRequest(filed.state, context(), 'REQ-2026-0001', {
          by: '王丽',
          expires: '2027-01-31',
          masks: { 'Student.gender': 'null' },
        }),
      ),
    ).toMatch(/does not name Student.gender/);
    expect(
      refusal(() =>
        approveRequest(filed.state, context(), 'REQ-2026-0001', {
          by: 'x',
          expires: '2027-01-31',
          actingFor: ['science'],
        }),
      ),
    ).toMatch(/^FORBIDDEN: only education's CDO/);
    const approved = approveRequest(filed.state, context(), 'REQ-2026-0001', {
      by: '王丽',
      expires: '2027-01-31',
      masks: { 'Student.name': 'name' },
    });
    expect(approved.result).toMatchObject({
      id: 'GRANT-2026-0001',
      fields: [{ 'Student.name': 'name' }, 'Student.grade'],
      expires: '2027-01-31',
      purposes: ['enrollment-planning'],
    });
    expect(
      refusal(() => refuseRequest(approved.state, context(), 'REQ-2026-0001', { by: 'x', reason: 'late' })),
    ).toMatch(/^GRANT_CONFLICT: request REQ-2026-0001 was already approved/);
    expect(refusal(() => approveRequest(approved.state, context(), 'REQ-2026-0099', { by: 'x' }))).toMatch(
      /^GRANT_NOT_FOUND/,
    );

    // The approved grant releases the field, masked, to that consumer and purpose; revoked, it does not.
    const withGrant = context(undefined, approved.state);
    const haidian = consumer('district-haidian');
    expect(
      decideField(withGrant.policySet, haidian, 'enrollment-planning', 'Student.grade', withGrant.now.getTime()).effect,
    ).toBe('allow');
    const revoked = revokeGrant(approved.state, withGrant, 'GRANT-2026-0001', {
      by: '王丽',
      reason: 'planning finished',
    });
    const afterRevoke = context(undefined, revoked.state);
    // Student.grade stays allowed through the shipped policy grant EDU-2026-001; Student.gender was only ever ours.
    expect(
      decideField(
        afterRevoke.policySet,
        haidian,
        'enrollment-planning',
        'Student.grade',
        afterRevoke.now.getTime(),
      ).grants.map((g) => g.id),
    ).not.toContain('GRANT-2026-0001');
    expect(
      refusal(() => revokeGrant(revoked.state, afterRevoke, 'GRANT-2026-0001', { by: 'x', reason: 'again' })),
    ).toMatch(/^GRANT_CONFLICT: grant GRANT-2026-0001 was revoked/);
    expect(refusal(() => revokeGrant(revoked.state, afterRevoke, 'EDU-2026-001', { by: 'x', reason: 'r' }))).toMatch(
      /written in .*education.yaml/,
    );
    expect(revoked.state.events.map((e) => e.action)).toEqual(['requested', 'approved', 'revoked']);
  });

  it('separates duties: nobody approves, refuses or revokes a request they filed or that is for themselves', () => {
    // Filed over the API by city-analytics for itself (requestedBy is the token's subject).
    const filed = requestGrant(emptyGrantStore(), context(), {
      consumer: 'city-analytics',
      fields: ['Student.name'],
      purpose: 'statistics',
      reason: 'age-grade study',
      requestedBy: 'city-analytics',
      until: '2027-03-31',
    });
    const id = filed.result.id;
    // The attack of issue 15: city-analytics, with an education CDO role, approving its own request.
    expect(
      refusal(() =>
        approveRequest(filed.state, context(), id, {
          by: 'self (city-analytics)',
          actingFor: ['education'],
          actingAs: ['city-analytics', 'self'],
        }),
      ),
    ).toMatch(/^SEPARATION_OF_DUTIES: city-analytics may not approve REQ-2026-0001: it is the request's consumer/);
    expect(
      refusal(() =>
        refuseRequest(filed.state, context(), id, {
          by: 'x',
          reason: 'r',
          actingFor: ['education'],
          actingAs: ['City-Analytics '],
        }),
      ),
    ).toMatch(/^SEPARATION_OF_DUTIES: City-Analytics may not refuse/);
    // Naming the filer as `by` is acting as the filer, whoever's token it is.
    expect(
      refusal(() =>
        approveRequest(filed.state, context(), id, {
          by: 'city-analytics (education)',
          actingFor: ['education'],
          actingAs: ['education', 'city-analytics'],
        }),
      ),
    ).toMatch(/^SEPARATION_OF_DUTIES/);
    // Filed on the CLI by an operator: that operator decides nothing on it either (`--by` is the acting name).
    const byOperator = requestGrant(emptyGrantStore(), context(), { ...teachers, requestedBy: 'zhang.wei' });
    expect(refusal(() => approveRequest(byOperator.state, context(), 'REQ-2026-0001', { by: 'zhang.wei' }))).toMatch(
      /^SEPARATION_OF_DUTIES: zhang.wei may not approve REQ-2026-0001: zhang.wei filed it/,
    );
    expect(
      refusal(() => refuseRequest(byOperator.state, context(), 'REQ-2026-0001', { by: 'zhang.wei', reason: 'no' })),
    ).toMatch(/^SEPARATION_OF_DUTIES/);

    // The owning agency's CDO, someone else, decides; the consumer cannot revoke it either, the CDO can.
    const approved = approveRequest(filed.state, context(), id, {
      by: '王丽 (education-cdo)',
      actingFor: ['education'],
      actingAs: ['education-cdo', '王丽'],
    });
    expect(approved.result.approvedBy).toBe('王丽 (education-cdo)');
    const withGrant = context(undefined, approved.state);
    expect(
      refusal(() =>
        revokeGrant(approved.state, withGrant, approved.result.id, {
          by: 'a',
          reason: 'r',
          actingFor: ['education'],
          actingAs: ['city-analytics'],
        }),
      ),
    ).toMatch(/^SEPARATION_OF_DUTIES: city-analytics may not revoke GRANT-2026-0001/);
    expect(
      revokeGrant(approved.state, withGrant, approved.result.id, {
        by: '王丽 (education-cdo)',
        reason: 'done',
        actingFor: ['education'],
        actingAs: ['education-cdo', '王丽'],
      }).result.revoked,
    ).toMatchObject({ reason: 'done' });
    // A role for another agency is refused before duties are even compared.
    expect(
      refusal(() =>
        approveRequest(filed.state, context(), id, { by: 'x', actingFor: ['science'], actingAs: ['city-analytics'] }),
      ),
    ).toMatch(/^FORBIDDEN/);
  });

  it('shows a pending request as overdue once its deadline has passed unanswered', () => {
    const filed = requestGrant(emptyGrantStore(), context('2026-11-02T09:00:00+08:00'), teachers);
    expect(filed.result.deadline).toBe('2026-11-16');
    expect(listRequests(filed.state, { agency: 'education', status: 'overdue' }, '2026-11-16', calendar)).toEqual([]);
    expect(
      listRequests(filed.state, { agency: 'education', status: 'pending' }, '2026-11-13', calendar)[0],
    ).toMatchObject({ overdue: false, workingDaysLeft: 1 });
    expect(listRequests(filed.state, { agency: 'education', status: 'overdue' }, '2026-11-18', calendar)).toMatchObject(
      [{ id: 'REQ-2026-0001', overdue: true, workingDaysLeft: -2 }],
    );
    expect(listRequests(filed.state, { agency: 'science' }, '2026-11-18', calendar)).toEqual([]);
  });
});

describe('file grant store', () => {
  it('serialises concurrent updates under its lock and survives reopening', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'grants-'));
    const service = new GrantService({
      store: new FileGrantStore(dir),
      policySet: () => context().policySet,
      calendar,
      checkGrant: policyGrantChecker(sources, supergraph),
      now: () => new Date('2026-11-27T10:00:00+08:00'),
    });
    await Promise.all(Array.from({ length: 8 }, () => service.request(teachers)));
    const state = await new FileGrantStore(dir).read();
    expect(state.requests.map((r) => r.id).sort()).toEqual(
      Array.from({ length: 8 }, (_, i) => `REQ-2026-${String(i + 1).padStart(4, '0')}`),
    );
    expect(state.revision).toBe(8);
    expect(state.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('refuses an approval the policies would not put in force (a mask that does not fit the field)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'grants-'));
    const service = new GrantService({
      store: new FileGrantStore(dir),
      policySet: () => context().policySet,
      calendar,
      checkGrant: policyGrantChecker(sources, supergraph),
      now: () => new Date('2026-11-27T10:00:00+08:00'),
    });
    await service.request({ ...teachers, fields: ['Student.grade'] });
    await expect(
      service.approve('REQ-2026-0001', { by: '王丽', masks: { 'Student.grade': 'idNumber' } }),
    ).rejects.toThrow(
      '--mask Student.grade=idNumber: idNumber applies to String or ID fields, not Int; masks that fit Student.grade (Int): null, round(n)',
    );
    expect((await new FileGrantStore(dir).read()).requests[0]!.status).toBe('pending');
  });
});
