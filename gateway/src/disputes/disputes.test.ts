import { parse } from 'graphql';
import { createHash } from 'node:crypto';
import { DEFAULT_CALENDAR_FILE } from '../config';
import { loadWorkCalendar } from '../grants';
import { compileYaml, fixturePolicies, supergraph } from '../policy/policyFixtures.test-helpers';
import type { PolicySet } from '../policy';
import { answeringDecision } from './answeringDecision';
import { DisputeError } from './disputeError';
import { allocateDisputeId } from './disputeIds';
import { disputeNotices, disputeNoticesHeader, noticesOfExtensions, openDisputeIndex } from './disputeNotices';
import { answerDispute, fileDispute, type DisputeContext } from './disputeSteps';
import { emptyDisputeStore } from './disputeStore';
import { listDisputes } from './disputeViews';
import { disputeDueDate, isOverdue } from './dueDates';
import { disputeEvidence, MAX_EVIDENCE_BYTES } from './evidence';
import { filingDecision } from './filingDecision';
import type { Dispute, DisputeStoreState } from './model';

// Disputes (疑义校核): ids, due dates in working days, who may file and answer, and what an answer
// names. Every clock is the test's own; the policies are the unit tests' fixtures.

const calendar = loadWorkCalendar(DEFAULT_CALENDAR_FILE);
const NOW = Date.parse('2026-11-27T12:00:00+08:00');
const policySet = compileYaml(fixturePolicies(), NOW).policySet!;

function withDeadline(days: number): PolicySet {
  const files = fixturePolicies();
  files['development-reform.yaml'] += `\ndisputes:\n  answerWithinWorkingDays: ${days}\n`;
  const compiled = compileYaml(files, NOW);
  if (!compiled.policySet) throw new Error(compiled.problems.map((p) => p.message).join('\n'));
  return compiled.policySet;
}

const context = (now: string, policies = policySet): DisputeContext => ({
  policySet: policies,
  calendar,
  now: new Date(now),
});

const filing = {
  consumer: 'city-analytics',
  coordinate: 'InvestmentProject.name',
  key: '2023-110105-04-01-123456',
  claim: 'the project was renamed in 2025',
  filedBy: 'analyst 陈',
};

describe('allocateDisputeId', () => {
  const held = (...ids: string[]) => ids.map((id) => ({ id }) as Dispute);

  it('numbers from 0001 in each year, by the Beijing date of filing', () => {
    expect(allocateDisputeId({ lastNumber: {}, disputes: [] }, '2026-12-04').id).toBe('DSP-2026-0001');
    const state = { lastNumber: { '2026': 7 }, disputes: held('DSP-2026-0007') };
    expect(allocateDisputeId(state, '2026-12-31')).toEqual({ id: 'DSP-2026-0008', lastNumber: { '2026': 8 } });
    expect(allocateDisputeId(state, '2027-01-01')).toEqual({
      id: 'DSP-2027-0001',
      lastNumber: { '2026': 7, '2027': 1 },
    });
  });

  it('never gives a number twice: not after a dispute was removed, nor below one the store holds', () => {
    expect(allocateDisputeId({ lastNumber: { '2026': 12 }, disputes: [] }, '2026-06-01').id).toBe('DSP-2026-0013');
    expect(allocateDisputeId({ lastNumber: { '2026': 2 }, disputes: held('DSP-2026-0040') }, '2026-06-01').id).toBe(
      'DSP-2026-0041',
    );
    expect(allocateDisputeId({ lastNumber: { '2026': 9999 }, disputes: [] }, '2026-06-01').id).toBe('DSP-2026-10000');
  });
});

describe('disputeDueDate', () => {
  it('counts working days after the filing day: a weekend does not count', () => {
    // Fri 2026-11-27 + 10 working days: Fri 2026-12-11.
    expect(disputeDueDate(new Date('2026-11-27T10:00:00+08:00'), 10, calendar)).toBe('2026-12-11');
    // Filed on a Saturday: Monday is the first working day.
    expect(disputeDueDate(new Date('2026-11-28T10:00:00+08:00'), 1, calendar)).toBe('2026-11-30');
  });

  it('takes the Beijing date of the filing instant', () => {
    // 23:00 Thursday in Beijing, and 01:00 Friday in Beijing (still Thursday in UTC).
    expect(disputeDueDate(new Date('2026-11-26T15:00:00Z'), 1, calendar)).toBe('2026-11-27');
    expect(disputeDueDate(new Date('2026-11-26T17:00:00Z'), 1, calendar)).toBe('2026-11-30');
  });

  it('skips public holidays and counts make-up workdays', () => {
    // Wed 2026-09-30, then National Day (Oct 1–7); Sat Oct 10 is a make-up workday.
    expect(disputeDueDate(new Date('2026-09-30T09:00:00+08:00'), 3, calendar)).toBe('2026-10-10');
    expect(disputeDueDate(new Date('2026-09-30T09:00:00+08:00'), 5, calendar)).toBe('2026-10-13');
  });

  it("is the agency's own deadline when its policy sets one, ten working days when it does not", () => {
    const five = fileDispute(emptyDisputeStore(), context('2026-11-27T10:00:00+08:00', withDeadline(5)), filing);
    expect(five.result.dueDate).toBe('2026-12-04');
    const ten = fileDispute(emptyDisputeStore(), context('2026-11-27T10:00:00+08:00'), filing);
    expect(ten.result.dueDate).toBe('2026-12-11');
  });

  it('refuses a deadline outside 1–60 working days in a policy file', () => {
    const files = fixturePolicies();
    files['science.yaml'] += '\ndisputes:\n  answerWithinWorkingDays: 0\n';
    expect(compileYaml(files, NOW).policySet).toBeUndefined();
  });

  it('is overdue the day after the due date, not on it', () => {
    expect(isOverdue({ status: 'open', dueDate: '2026-12-11' }, '2026-12-11')).toBe(false);
    expect(isOverdue({ status: 'open', dueDate: '2026-12-11' }, '2026-12-12')).toBe(true);
    expect(isOverdue({ status: 'answered', dueDate: '2026-12-11' }, '2026-12-31')).toBe(false);
  });
});

describe('filingDecision: who may dispute which value', () => {
  const decide = (
    consumerId: string,
    coordinate: string,
    more: { purpose?: string; key?: string; claim?: string } = {},
  ) =>
    filingDecision(
      policySet,
      {
        consumer: policySet.consumers.consumers.get(consumerId),
        purpose: more.purpose,
        coordinate,
        key: more.key ?? (coordinate.startsWith('School') ? '2111000001' : '2023-110105-04-01-123456'),
        claim: more.claim ?? 'wrong',
      },
      NOW,
    );

  it('lets a department dispute a field it may read, and names the agency that answers', () => {
    expect(decide('city-analytics', 'InvestmentProject.name')).toEqual({
      ok: true,
      agency: 'development-reform',
      purpose: 'statistics',
    });
    // CONDITIONAL, under the science commission's grant for industrial-policy.
    expect(decide('science', 'InvestmentProject.budgetDetail')).toMatchObject({
      ok: true,
      purpose: 'industrial-policy',
    });
  });

  it('refuses a field the consumer may not read, or not for the purpose it states', () => {
    expect(decide('city-analytics', 'InvestmentProject.budgetDetail')).toMatchObject({
      ok: false,
      code: 'DISPUTE_FIELD_NOT_READABLE',
    });
    expect(decide('district-haidian', 'InvestmentProject.contactIdNumber')).toMatchObject({
      ok: false,
      code: 'DISPUTE_FIELD_NOT_READABLE',
    });
    expect(decide('science', 'InvestmentProject.budgetDetail', { purpose: 'statistics' })).toMatchObject({
      ok: false,
      code: 'DISPUTE_INVALID',
    });
  });

  it.each([
    ['public', 'InvestmentProject.name', /the public files no disputes/],
    ['education-cdo', 'InvestmentProject.name', /reads no data/],
    ['city-analytics', 'InvestmentProject.nmae', /unknown field InvestmentProject.nmae/],
    ['city-analytics', 'Projet.name', /unknown type "Projet"/],
    ['city-analytics', 'name', /not a field coordinate/],
    ['city-analytics', 'Student.name', /Student has no key/],
    ['city-analytics', 'School.code', /key: it names the record/],
    ['city-analytics', 'School.students', /not a value but a link/],
    ['education', 'School.name', /education's own data/],
  ])('refuses %s disputing %s', (who, coordinate, message) => {
    const verdict = decide(who, coordinate);
    expect(verdict).toMatchObject({ ok: false, code: 'DISPUTE_INVALID' });
    expect(!verdict.ok && verdict.message).toMatch(message);
  });

  it('refuses a key of the wrong shape and an empty claim', () => {
    for (const key of ['', ' ', '2111000001,2', 'a\nb', 'x'.repeat(201)])
      expect(decide('city-analytics', 'School.name', { key })).toMatchObject({ ok: false, code: 'DISPUTE_INVALID' });
    expect(decide('city-analytics', 'School.name', { claim: '  ' })).toMatchObject({
      ok: false,
      code: 'DISPUTE_INVALID',
    });
  });
});

describe('answeringDecision: the owning CDO answers, once', () => {
  const filed = fileDispute(emptyDisputeStore(), context('2026-11-27T10:00:00+08:00'), filing);
  const dispute = filed.result;

  it('lets the owning agency answer with an outcome and a reason', () => {
    expect(
      answeringDecision(dispute, dispute.id, {
        outcome: 'corrected',
        reason: 'renamed',
        actingFor: ['development-reform'],
      }),
    ).toEqual({ ok: true, outcome: 'corrected', reason: 'renamed' });
    // The CLI's operator acts for every agency (file access to the store is the boundary).
    expect(
      answeringDecision(dispute, dispute.id, { outcome: 'confirmed', reason: 'ok', actingFor: undefined }).ok,
    ).toBe(true);
  });

  it('refuses another agency, a bad id, an unknown one, an unknown outcome and an empty reason', () => {
    const answer = { outcome: 'confirmed', reason: 'checked', actingFor: ['education'] };
    expect(answeringDecision(dispute, dispute.id, answer)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(answeringDecision(undefined, 'DSP-26-1', answer)).toMatchObject({ ok: false, code: 'DISPUTE_INVALID' });
    expect(answeringDecision(undefined, 'DSP-2026-0999', answer)).toMatchObject({
      ok: false,
      code: 'DISPUTE_NOT_FOUND',
    });
    const owner = { actingFor: ['development-reform'] };
    expect(answeringDecision(dispute, dispute.id, { ...owner, outcome: 'fixed', reason: 'x' })).toMatchObject({
      code: 'DISPUTE_INVALID',
    });
    expect(answeringDecision(dispute, dispute.id, { ...owner, outcome: 'rejected', reason: ' ' })).toMatchObject({
      code: 'DISPUTE_INVALID',
    });
  });

  it('refuses a second answer', () => {
    const once = answerDispute(filed.state, context('2026-12-01T10:00:00+08:00'), dispute.id, {
      outcome: 'rejected',
      reason: 'the name is the registered one',
      by: '李强',
      actingFor: undefined,
    });
    expect(once.result).toMatchObject({ status: 'answered', answer: { outcome: 'rejected', by: '李强' } });
    const again = () =>
      answerDispute(once.state, context('2026-12-02T10:00:00+08:00'), dispute.id, {
        outcome: 'corrected',
        reason: 'second thoughts',
        by: '李强',
        actingFor: undefined,
      });
    expect(again).toThrow(DisputeError);
    expect(again).toThrow(/already answered: rejected by 李强 on 2026-12-01/);
  });
});

describe('fileDispute and listDisputes', () => {
  it('keeps the claim, the purpose, the evidence with its digest, and lists open ones first, overdue flagged', () => {
    const evidence = disputeEvidence('/tmp/notice.txt', Buffer.from('renamed by notice 2025-17'));
    if (!evidence.ok) throw new Error(evidence.message);
    let state: DisputeStoreState = emptyDisputeStore();
    const first = fileDispute(state, context('2026-11-02T10:00:00+08:00'), { ...filing, evidence: evidence.evidence });
    state = first.state;
    const second = fileDispute(state, context('2026-11-27T10:00:00+08:00'), {
      ...filing,
      key: '2024-110108-04-01-000001',
    });
    state = answerDispute(second.state, context('2026-11-30T10:00:00+08:00'), second.result.id, {
      outcome: 'confirmed',
      reason: 'checked against the approval',
      by: '李强',
      actingFor: undefined,
    }).state;
    const third = fileDispute(state, context('2026-11-30T10:00:00+08:00'), filing);
    state = third.state;
    expect(first.result).toMatchObject({
      id: 'DSP-2026-0001',
      agency: 'development-reform',
      purpose: 'statistics',
      dueDate: '2026-11-16',
      evidence: { name: 'notice.txt', bytes: 25 },
    });
    expect(first.result.evidence!.sha256).toBe(createHash('sha256').update('renamed by notice 2025-17').digest('hex'));
    const listed = listDisputes(state, { agency: 'development-reform' }, '2026-12-04', calendar);
    expect(listed.map((d) => [d.id, d.status, d.overdue, d.workingDaysLeft])).toEqual([
      ['DSP-2026-0001', 'open', true, -14],
      ['DSP-2026-0003', 'open', false, 6],
      ['DSP-2026-0002', 'answered', false, undefined],
    ]);
    // Listed with the evidence's name and digest, never its contents.
    expect(JSON.stringify(listed)).not.toContain(evidence.evidence.contentBase64);
    expect(listDisputes(state, { status: 'overdue' }, '2026-12-04', calendar).map((d) => d.id)).toEqual([
      'DSP-2026-0001',
    ]);
    expect(listDisputes(state, { agency: 'education' }, '2026-12-04', calendar)).toEqual([]);
  });

  it('refuses evidence over the size limit', () => {
    expect(disputeEvidence('big.pdf', new Uint8Array(MAX_EVIDENCE_BYTES + 1))).toMatchObject({
      ok: false,
      code: 'DISPUTE_INVALID',
    });
    expect(disputeEvidence('ok.pdf', new Uint8Array(MAX_EVIDENCE_BYTES)).ok).toBe(true);
  });
});

describe('disputeNotices: what an answer says of open disputes', () => {
  const school = (code: string, name: string) => ({ code, name });
  const state = fileDispute(emptyDisputeStore(), context('2026-11-27T10:00:00+08:00'), {
    ...filing,
    coordinate: 'School.name',
    key: '2111000001',
  }).state;
  const document = parse('{ schools(first: 2) { nodes { code name } } }');
  const data = { schools: { nodes: [school('2111000001', '海淀实验小学'), school('2111000002', '中关村一小')] } };
  const notices = (
    over: { data?: Record<string, unknown>; document?: typeof document; mayRead?: (c: string) => boolean } = {},
    index = openDisputeIndex(state.disputes),
  ) =>
    disputeNotices(index, {
      schema: supergraph.apiSchema,
      keys: supergraph.ownership.keys,
      document: over.document ?? document,
      operation: undefined,
      variables: {},
      data: over.data ?? data,
      mayRead: over.mayRead ?? (() => true),
    });

  it('names the open dispute over a record and field the answer carries, without the claim', () => {
    expect(notices()).toEqual([
      {
        id: 'DSP-2026-0001',
        coordinate: 'School.name',
        key: '2111000001',
        filedAt: '2026-11-27T02:00:00.000Z',
        dueDate: '2026-12-11',
      },
    ]);
    expect(JSON.stringify(notices())).not.toContain('renamed');
  });

  it('names nothing to an asker that may not read the field, nor without the field or the key', () => {
    expect(notices({ mayRead: (c) => c !== 'School.name' })).toEqual([]);
    const withoutName = parse('{ schools(first: 2) { nodes { code } } }');
    expect(notices({ document: withoutName, data: { schools: { nodes: [{ code: '2111000001' }] } } })).toEqual([]);
    const withoutKey = parse('{ schools(first: 2) { nodes { name } } }');
    expect(notices({ document: withoutKey, data: { schools: { nodes: [{ name: 'x' }] } } })).toEqual([]);
    // A null (withheld, or outside the asker's row scope) carries no value to dispute.
    expect(notices({ data: { schools: { nodes: [{ code: '2111000001', name: null }] } } })).toEqual([]);
    // A key that goes out masked (or otherwise changed) names no record.
    expect(notices({ data: { schools: { nodes: [school('21110*****', 'x')] } } })).toEqual([]);
  });

  it('forgets a dispute once it is answered', () => {
    const answered = answerDispute(state, context('2026-11-28T10:00:00+08:00'), 'DSP-2026-0001', {
      outcome: 'confirmed',
      reason: 'as registered',
      by: '王丽',
      actingFor: undefined,
    }).state;
    expect(notices({}, openDisputeIndex(answered.disputes))).toEqual([]);
  });
});

describe('notices in a CSV answer', () => {
  const notice = (id: string, key: string) => ({
    id,
    coordinate: 'School.name',
    key,
    filedAt: '2026-12-04T08:00:00.000Z',
    dueDate: '2026-12-18',
  });

  it('lists each notice on one line of the header, the key encoded so it cannot split one', () => {
    expect(disputeNoticesHeader([notice('DSP-2026-0001', '1111000027'), notice('DSP-2026-0002', 'a, b')])).toBe(
      'DSP-2026-0001 School.name 1111000027 due=2026-12-18, DSP-2026-0002 School.name a%2C%20b due=2026-12-18',
    );
    expect(disputeNoticesHeader([])).toBeUndefined();
  });

  it('reads notices only in the shape the gateway writes them', () => {
    expect(noticesOfExtensions({ disputes: [notice('DSP-2026-0001', 'k'), { id: 'DSP-2026-0002' }, 'x'] })).toEqual([
      notice('DSP-2026-0001', 'k'),
    ]);
    expect(noticesOfExtensions(undefined)).toEqual([]);
    expect(noticesOfExtensions({ disputes: 'DSP-2026-0001' })).toEqual([]);
  });
});
