import { compileYaml, shippedPolicies } from './policyFixtures.test-helpers';

const errorsOf = (files: Record<string, string>) => compileYaml(files).problems.filter((p) => p.severity === 'error');
const warningsOf = (files: Record<string, string>) =>
  compileYaml(files).problems.filter((p) => p.severity === 'warning');

describe('the shipped policies', () => {
  it('compile against the committed supergraph with no errors and no warnings', () => {
    const { policySet, problems } = compileYaml(shippedPolicies());
    expect(problems).toEqual([]);
    expect(policySet?.version).toMatch(/^[0-9a-f]{16}$/);
  });

  it('class what the issue requires', () => {
    const { policySet } = compileYaml(shippedPolicies());
    expect(policySet!.classify('Student.idNumber', 'education').sharingClass).toBe('NOT_SHARED');
    expect(policySet!.classify('Student.guardianPhone', 'education').sharingClass).toBe('NOT_SHARED');
    expect(policySet!.classify('Student.name', 'education').sharingClass).toBe('CONDITIONAL');
    expect(policySet!.classify('School.name', 'education').sharingClass).toBe('UNCONDITIONAL');
    expect(policySet!.classify('School.code', 'education').sharingClass).toBe('UNCONDITIONAL');
    for (const [coordinate, agency] of [
      ['District.schoolCount', 'education'],
      ['District.investmentProjectCount', 'development-reform'],
      ['District.technologyContractAmount', 'science'],
    ] as const) {
      expect(policySet!.classify(coordinate, agency).sharingClass).toBe('UNCONDITIONAL');
    }
    const haidian = policySet!.grantsFor('district-haidian', 'Student.name');
    expect(haidian).toEqual([
      expect.objectContaining({ purposes: ['enrollment-planning'], scope: { districtCode: '110108' } }),
    ]);
    expect(haidian[0]!.fields.find((f) => f.coordinate === 'Student.name')?.mask).toEqual({ kind: 'name' });
  });
});

describe('policy problems, each with its file and line', () => {
  const base = 'agency: education\ntypes:\n';

  it('reports unknown types and fields with a suggestion', () => {
    const errors = errorsOf({
      'e.yaml': `${base}  Studnt:\n    default: { class: UNCONDITIONAL, level: L1 }\n  Student:\n    fields:\n      nmae: { class: CONDITIONAL, level: L4 }\n`,
    });
    expect(errors).toEqual([
      expect.objectContaining({
        location: { file: 'e.yaml', line: 3 },
        message: 'unknown type "Studnt"',
        hint: 'did you mean "Student"?',
      }),
      expect.objectContaining({
        location: { file: 'e.yaml', line: 7 },
        message: 'unknown field "Student.nmae"',
        hint: 'did you mean "Student.name"?',
      }),
    ]);
  });

  it('refuses to class a field its agency does not resolve', () => {
    const errors = errorsOf({
      's.yaml':
        'agency: science\ntypes:\n  Organization:\n    fields:\n      name: { class: UNCONDITIONAL, level: L1 }\n',
    });
    expect(errors[0]).toMatchObject({
      location: { line: 5 },
      message: 'Organization.name is resolved by development-reform, not science',
    });
    const types = errorsOf({
      's.yaml': 'agency: science\ntypes:\n  Student:\n    default: { class: UNCONDITIONAL, level: L1 }\n',
    });
    expect(types[0]!.message).toBe('science resolves no field of Student');
  });

  it('needs a class, a level, and a legal basis for NOT_SHARED', () => {
    const errors = errorsOf({
      'e.yaml': `${base}  Student:\n    fields:\n      name: { level: L4 }\n      grade: { class: CONDITIONAL }\n      idNumber: { class: NOT_SHARED, level: L4 }\n`,
    });
    expect(errors.map((e) => [e.location.line, e.message])).toEqual([
      [5, 'Student.name has no sharing class'],
      [6, 'Student.grade has no level'],
      [7, 'Student.idNumber is NOT_SHARED without a legal basis'],
    ]);
  });

  it('refuses open data that is not UNCONDITIONAL', () => {
    expect(
      errorsOf({
        'e.yaml': `${base}  Student:\n    fields:\n      name: { class: CONDITIONAL, level: L4, open: OPEN }\n`,
      })[0]!.message,
    ).toMatch(/CONDITIONAL but open to the public/);
  });

  it('checks grants: consumer, purpose, fields, masks, scope, ownership and NOT_SHARED', () => {
    const grant = (body: string) =>
      `${base}  Student:\n    default: { class: NOT_SHARED, level: L4, legalBasis: PIPL }\n    fields:\n      name: { class: CONDITIONAL, level: L4 }\ngrants:\n  - id: G1\n${body}`;
    const common = '    expires: 2027-01-01\n    approvedBy: CDO\n';
    expect(
      errorsOf({
        'e.yaml': grant(
          `    consumer: district-haidain\n    purposes: [planning]\n    fields: [Student.name]\n${common}`,
        ),
      })[0],
    ).toMatchObject({
      location: { line: 9 },
      message: 'grant "G1" is for unknown consumer "district-haidain"',
      hint: 'did you mean "district-haidian"?',
    });
    expect(
      errorsOf({
        'e.yaml': grant(
          `    consumer: city-analytics\n    purposes: [planning]\n    fields: [Student.name]\n${common}`,
        ),
      })[0]!.message,
    ).toBe('consumer "city-analytics" may not state purpose "planning"');
    expect(
      errorsOf({
        'e.yaml': grant(
          `    consumer: city-analytics\n    purposes: [statistics]\n    fields: [Student.idNumber]\n${common}`,
        ),
      })[0]!.message,
    ).toMatch(/releases Student.idNumber, which education classes NOT_SHARED \(PIPL\)/);
    expect(
      errorsOf({
        'e.yaml': grant(
          `    consumer: city-analytics\n    purposes: [statistics]\n    fields:\n      - Student.name: round(10)\n${common}`,
        ),
      })[0]!.message,
    ).toMatch(/round\(n\) applies to Int or Float fields, not String/);
    expect(
      errorsOf({
        'e.yaml': grant(
          `    consumer: city-analytics\n    purposes: [statistics]\n    fields: [Organization.name]\n${common}`,
        ),
      })[0]!.message,
    ).toMatch(/only the agency that resolves Organization.name \(development-reform\) can grant it/);
    expect(
      errorsOf({
        'e.yaml': grant(
          `    consumer: city-analytics\n    purposes: [statistics]\n    fields: [Student.name]\n    scope: { street: x }\n${common}`,
        ),
      })[0]!.message,
    ).toBe('unknown scope "street"');
  });

  it('warns about expired grants and unclassified fields', () => {
    const warnings = warningsOf({
      'e.yaml': `${base}  School:\n    fields:\n      name: { class: CONDITIONAL, level: L2, allowBlanking: true }\ngrants:\n  - id: OLD\n    consumer: city-analytics\n    purposes: [statistics]\n    fields: [School.name]\n    expires: 2020-01-01\n    approvedBy: CDO\n`,
    });
    const messages = warnings.map((w) => w.message);
    expect(messages).toContainEqual(expect.stringMatching(/^grant "OLD" expired on 2020-01-01/));
    expect(messages).toContainEqual(
      expect.stringMatching(
        /^education resolves Student\.\{.*idNumber.*\} with no sharing class: NOT_SHARED until classed/,
      ),
    );
  });

  it('reports YAML syntax and shape errors with lines', () => {
    expect(errorsOf({ 'e.yaml': 'agency: education\ntypes: [\n' })[0]!.location.line).toBeGreaterThan(0);
    expect(
      errorsOf({
        'e.yaml': 'agency: education\ntypes:\n  School:\n    fields:\n      name: { class: SOMETIMES, level: L1 }\n',
      })[0],
    ).toMatchObject({ location: { line: 5 } });
  });
});
