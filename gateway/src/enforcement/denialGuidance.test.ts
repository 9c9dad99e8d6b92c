import { decideField } from '../policy';
import { compileYaml, consumer, fixturePolicies } from '../policy/policyFixtures.test-helpers';
import { denialErrors } from './denialErrors';
import { denialGuidance } from './denialGuidance';

const now = Date.parse('2026-11-27T12:00:00+08:00');
const policySet = compileYaml(fixturePolicies(), now).policySet!;
const denied = (consumerId: string, purpose: string | undefined, coordinate: string, at = now) => {
  const decision = decideField(policySet, consumer(consumerId), purpose, coordinate, at);
  if (decision.effect !== 'deny') throw new Error(`${coordinate} is not denied`);
  return decision;
};

describe('denial guidance', () => {
  it('points a denial a grant would answer at the catalog and at the grant request to file, for that field and purpose', () => {
    for (const [code, decision] of [
      ['GRANT_REQUIRED', denied('science', 'industrial-policy', 'Student.name')],
      ['PURPOSE_NOT_GRANTED', denied('district-haidian', 'planning', 'Student.name')],
      [
        'GRANT_EXPIRED',
        denied('district-haidian', 'enrollment-planning', 'Student.name', Date.parse('2027-09-02T00:00:00+08:00')),
      ],
    ] as const) {
      expect(decision.code).toBe(code);
      expect(denialGuidance('Student.name', decision)).toEqual({
        catalog: '/catalog#Student.name',
        requestAccess: {
          method: 'POST',
          path: '/admin/grant-requests',
          body: { agency: 'education', fields: ['Student.name'], purpose: decision.purpose },
          fill: { reason: expect.any(String) },
        },
      });
    }
    expect(denied('district-haidian', 'planning', 'Student.name').purpose).toBe('planning');
  });

  it('offers nothing to apply for where no grant can release the field', () => {
    expect(
      denialGuidance('Student.idNumber', denied('district-haidian', 'enrollment-planning', 'Student.idNumber')),
    ).toEqual({});
    expect(denialGuidance('TechnologyContract.type', denied('public', undefined, 'TechnologyContract.type'))).toEqual(
      {},
    );
  });

  it('adds the guidance to the denial errors, beside what they said before', () => {
    const decision = denied('science', 'industrial-policy', 'Student.name');
    const [error] = denialErrors([
      { coordinate: 'Student.name', decision, paths: ['school.students.nodes.name'], firstPath: ['school'] },
    ]);
    expect(error!.extensions).toEqual({
      code: 'GRANT_REQUIRED',
      agency: 'education',
      coordinate: 'Student.name',
      paths: ['school.students.nodes.name'],
      catalog: '/catalog#Student.name',
      requestAccess: expect.objectContaining({ body: expect.objectContaining({ purpose: 'industrial-policy' }) }),
    });
  });
});
