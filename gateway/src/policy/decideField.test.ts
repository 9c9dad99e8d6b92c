import { decideField } from './decideField';
import { compileYaml, consumer, fixturePolicies } from './policyFixtures.test-helpers';

const now = Date.parse('2026-11-27T12:00:00+08:00');
const policySet = compileYaml(fixturePolicies(), now).policySet!;
const decide = (consumerId: string, purpose: string | undefined, coordinate: string, at = now) =>
  decideField(policySet, consumer(consumerId), purpose, coordinate, at);

describe('decideField', () => {
  it('releases UNCONDITIONAL fields to every department', () => {
    expect(decide('city-analytics', 'statistics', 'School.name').effect).toBe('allow');
    expect(decide('science', 'industrial-policy', 'District.schoolCount').effect).toBe('allow');
  });

  it('never releases NOT_SHARED fields outside the agency, and cites the legal basis', () => {
    const decision = decide('district-haidian', 'enrollment-planning', 'Student.idNumber');
    expect(decision).toMatchObject({ effect: 'deny', code: 'FIELD_NOT_SHARED', agency: 'education' });
    expect(decision.rulings[0]!.because).toMatch(/PIPL art. 28/);
  });

  it('lets an agency read its own fields in full', () => {
    expect(decide('education', 'operations', 'Student.idNumber').effect).toBe('allow');
    expect(decide('development-reform', 'planning', 'InvestmentProject.costAuditAmount').effect).toBe('allow');
  });

  it("does not let an agency's CDO identity read the agency's data as its owner: a CDO decides, the agency's department reads", () => {
    const cdo = { ...consumer('education'), id: 'education-cdo', kind: 'CDO' as const };
    expect(decideField(policySet, cdo, 'operations', 'Student.idNumber', now)).toMatchObject({
      effect: 'deny',
      code: 'FIELD_NOT_SHARED',
    });
  });

  it('releases CONDITIONAL fields under a live grant for the stated purpose, masked as granted', () => {
    expect(decide('district-haidian', 'enrollment-planning', 'Student.name')).toMatchObject({
      effect: 'mask',
      mask: { kind: 'name' },
    });
    expect(decide('district-haidian', 'enrollment-planning', 'Student.grade')).toMatchObject({ effect: 'allow' });
    const decision = decide('district-haidian', 'enrollment-planning', 'School.students');
    expect(decision.grants.map((g) => g.id)).toEqual(['EDU-2026-001']);
    expect(decision.validUntil).toBe(Date.parse('2027-09-01T00:00:00+08:00'));
  });

  it('says why a CONDITIONAL field is withheld: no grant, wrong purpose, expired grant', () => {
    expect(decide('science', 'industrial-policy', 'Student.name')).toMatchObject({
      effect: 'deny',
      code: 'GRANT_REQUIRED',
    });
    expect(decide('district-haidian', 'planning', 'Student.name')).toMatchObject({
      effect: 'deny',
      code: 'PURPOSE_NOT_GRANTED',
    });
    const later = Date.parse('2027-09-01T00:00:01+08:00');
    expect(decide('district-haidian', 'enrollment-planning', 'Student.name', later)).toMatchObject({
      effect: 'deny',
      code: 'GRANT_EXPIRED',
    });
    // The grant runs through its last day, Beijing time.
    expect(
      decide('district-haidian', 'enrollment-planning', 'Student.name', Date.parse('2027-08-31T23:59:59+08:00')).effect,
    ).toBe('mask');
  });

  it('shows the public only open UNCONDITIONAL data', () => {
    expect(decide('public', undefined, 'School.name').effect).toBe('allow');
    expect(decide('public', undefined, 'TechnologyContract.type')).toMatchObject({
      effect: 'deny',
      code: 'FIELD_NOT_SHARED',
    });
    expect(decide('public', undefined, 'Student.name')).toMatchObject({ effect: 'deny', code: 'FIELD_NOT_SHARED' });
  });

  it('applies the stricter class when several agencies resolve a field', () => {
    const strict = compileYaml({
      ...fixturePolicies(),
      'development-reform.yaml': fixturePolicies()['development-reform.yaml']!.replace(
        / {2}School:\n {4}default: \{ class: UNCONDITIONAL, level: L1, open: OPEN \}\n/,
        '  School:\n    default: { class: UNCONDITIONAL, level: L1, open: OPEN }\n    fields:\n      code: { class: NOT_SHARED, level: L2, legalBasis: test, allowBlanking: true }\n',
      ),
    }).policySet!;
    const decision = decideField(strict, consumer('science'), 'industrial-policy', 'School.code', now);
    expect(decision).toMatchObject({ effect: 'deny', code: 'FIELD_NOT_SHARED', agency: 'development-reform' });
    expect(decision.rulings.map((r) => [r.agency, r.effect])).toEqual([
      ['development-reform', 'deny'],
      ['education', 'allow'],
    ]);
  });

  it('treats a field no agency classes as NOT_SHARED', () => {
    const bare = compileYaml({ 'education.yaml': 'agency: education\ntypes: {}\n' }).policySet!;
    expect(decideField(bare, consumer('science'), 'industrial-policy', 'School.name', now)).toMatchObject({
      effect: 'deny',
      code: 'FIELD_NOT_SHARED',
    });
  });
});
