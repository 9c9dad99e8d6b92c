import { parseYamlSource } from '../formats';
import { caseSignature, caseVerdict, NO_CASE, readCaseHeader, type RequestCase } from './caseReference';
import { compilePolicies, type RuntimeGrantInput } from './compilePolicies';
import { decideArgument } from './decideArgument';
import { decideField } from './decideField';
import { compileYaml, consumer, consumers, fixturePolicies, supergraph } from './policyFixtures.test-helpers';

// Case-bound grants: a grant that says `requireCase: true` releases its fields only to requests
// naming a case (x-case-id), in the agency's format when it states one.

const now = Date.parse('2026-11-27T12:00:00+08:00');
const given = (reference: string): RequestCase => ({ kind: 'given', reference });

const storeGrant = (id: string, extra: Record<string, unknown> = {}): RuntimeGrantInput => ({
  agency: 'development-reform',
  store: '.data/grants/grants.json',
  grant: {
    id,
    consumer: 'city-analytics',
    purposes: ['statistics'],
    fields: ['InvestmentProject.budgetDetail'],
    expires: '2027-06-30',
    approvedBy: '李强 (CDO)',
    ...extra,
  },
});
const compile = (runtimeGrants: RuntimeGrantInput[]) =>
  compilePolicies({
    policies: Object.entries(fixturePolicies()).map(([file, text]) => parseYamlSource(text, file)),
    consumers,
    schema: supergraph.apiSchema,
    ownership: supergraph.ownership,
    runtimeGrants,
    now,
  });
const FORMAT = { requireCase: true, casePattern: 'FGW-\\d{4}-\\d{6}' };
const decide = (grants: RuntimeGrantInput[], requestCase: RequestCase | undefined, purpose = 'statistics') =>
  decideField(
    compile(grants).policySet!,
    consumer('city-analytics'),
    purpose,
    'InvestmentProject.budgetDetail',
    now,
    requestCase,
  );

describe('reading x-case-id', () => {
  it.each([
    [undefined, NO_CASE],
    ['', NO_CASE],
    ['   ', NO_CASE],
    ['FGW-2026-000001', given('FGW-2026-000001')],
    ['  FGW-2026-000001 ', given('FGW-2026-000001')],
    ['x'.repeat(64), given('x'.repeat(64))],
    ['x'.repeat(65), { kind: 'malformed' }],
    ['two words', { kind: 'malformed' }],
    ['案件-1', { kind: 'malformed' }],
    ['a\u0007b', { kind: 'malformed' }],
    [['a', 'b'], { kind: 'malformed' }],
  ])('%j reads as %j', (header, expected) => {
    expect(readCaseHeader(header as string | string[] | undefined)).toEqual(expected);
  });
});

describe('a grant bound to a case', () => {
  it('releases its fields to a request naming a case in its format, and only then', () => {
    const grants = [storeGrant('GRANT-2026-0101', FORMAT)];
    expect(decide(grants, given('FGW-2026-000123'))).toMatchObject({
      effect: 'allow',
      grants: [{ id: 'GRANT-2026-0101' }],
    });
    expect(decide(grants, NO_CASE)).toMatchObject({
      effect: 'deny',
      code: 'CASE_REQUIRED',
      agency: 'development-reform',
    });
    expect(decide(grants, given('FGW-26-1'))).toMatchObject({ effect: 'deny', code: 'CASE_INVALID' });
    expect(decide(grants, { kind: 'malformed' })).toMatchObject({ effect: 'deny', code: 'CASE_INVALID' });
  });

  it('says to the holder what to send: the header, and the format when the grant has one', () => {
    const grants = [storeGrant('GRANT-2026-0101', FORMAT)];
    const missing = decide(grants, NO_CASE);
    expect(missing.rulings[0]).toMatchObject({ grant: { id: 'GRANT-2026-0101' } });
    expect(missing.rulings[0]!.because).toBe(
      'CONDITIONAL; grant GRANT-2026-0101 releases it only for a named case: send its reference in x-case-id',
    );
    expect(decide(grants, given('nope')).rulings[0]!.because).toBe(
      'CONDITIONAL; grant GRANT-2026-0101 releases it only for a case reference matching FGW-\\d{4}-\\d{6}, which x-case-id is not',
    );
  });

  it('accepts any well-formed reference when it states no format', () => {
    const grants = [storeGrant('GRANT-2026-0102', { requireCase: true })];
    expect(decide(grants, given('anything-at-all'))).toMatchObject({ effect: 'allow' });
    expect(decide(grants, NO_CASE)).toMatchObject({ code: 'CASE_REQUIRED' });
    expect(decide(grants, { kind: 'malformed' })).toMatchObject({ code: 'CASE_INVALID' });
  });

  it('gives way to a grant of the same field that needs no case', () => {
    const grants = [storeGrant('GRANT-2026-0101', FORMAT), storeGrant('GRANT-2026-0103')];
    expect(decide(grants, NO_CASE)).toMatchObject({ effect: 'allow', grants: [{ id: 'GRANT-2026-0103' }] });
  });

  it('is judged after the purpose and the expiry: those come first', () => {
    const grants = [storeGrant('GRANT-2026-0101', FORMAT)];
    expect(decide(grants, NO_CASE, 'no-such-purpose')).toMatchObject({ code: 'PURPOSE_NOT_GRANTED' });
    const expired = [storeGrant('GRANT-2026-0104', { ...FORMAT, expires: '2026-11-01' })];
    expect(decide(expired, given('FGW-2026-000123'))).toMatchObject({ code: 'GRANT_EXPIRED' });
  });

  it('tells another consumer nothing about it: no grant, no format', () => {
    const decision = decideField(
      compile([storeGrant('GRANT-2026-0101', FORMAT)]).policySet!,
      consumer('district-haidian'),
      'planning',
      'InvestmentProject.budgetDetail',
      now,
      NO_CASE,
    );
    expect(decision).toMatchObject({ effect: 'deny', code: 'GRANT_REQUIRED' });
    expect(JSON.stringify(decision.rulings.map((r) => r.because))).not.toContain('FGW');
  });

  it('counts as usable where no request is decided (explain, impact, introspection)', () => {
    expect(decide([storeGrant('GRANT-2026-0101', FORMAT)], undefined)).toMatchObject({ effect: 'allow' });
  });

  it('withholds an argument under it for the case, not as ARGUMENT_NOT_SHARED', () => {
    const files = fixturePolicies();
    const QUERY = '  Query:\n    default: { class: UNCONDITIONAL, level: L1, open: OPEN }\n';
    expect(files['development-reform.yaml']).toContain(QUERY);
    files['development-reform.yaml'] = `${files['development-reform.yaml']!.replace(
      QUERY,
      `${QUERY}    arguments:\n      investmentProjects(ownerUscc): { class: CONDITIONAL, level: L2 }\n`,
    ).trimEnd()}
  - id: DRC-2026-098
    consumer: city-analytics
    purposes: [statistics]
    fields: ['Query.investmentProjects(ownerUscc)']
    requireCase: true
    expires: 2027-06-30
    approvedBy: 李强 (CDO)
`;
    const { policySet, problems } = compileYaml(files);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    const decideOwner = (requestCase: RequestCase) =>
      decideArgument(
        policySet!,
        consumer('city-analytics'),
        'statistics',
        'Query.investmentProjects(ownerUscc)',
        now,
        requestCase,
      );
    expect(decideOwner(given('any-case'))).toMatchObject({ effect: 'allow' });
    expect(decideOwner(NO_CASE)).toMatchObject({ effect: 'deny', code: 'CASE_REQUIRED' });
  });
});

describe('compiled views per case', () => {
  it('share a signature exactly when every case-bound grant judges two requests alike', () => {
    const policySet = compile([
      storeGrant('GRANT-2026-0101', FORMAT),
      storeGrant('GRANT-2026-0102', { requireCase: true, fields: ['InvestmentProject.contactName'] }),
    ]).policySet!;
    const signature = (requestCase: RequestCase) => caseSignature(policySet, 'city-analytics', requestCase);
    expect(signature(given('FGW-2026-000001'))).toBe(signature(given('FGW-2026-999999')));
    expect(signature(given('FGW-2026-000001'))).not.toBe(signature(given('other')));
    expect(signature(given('other'))).not.toBe(signature(NO_CASE));
    expect(signature(NO_CASE)).toHaveLength(2);
    // A consumer without case-bound grants: one view whatever it sends.
    expect(caseSignature(policySet, 'district-haidian', given('x'))).toBe('');
  });

  it('take a grant without a case binding as satisfied', () => {
    expect(caseVerdict({}, NO_CASE)).toBe('satisfied');
  });
});

describe('case binding in a policy file', () => {
  const withGrant = (grant: string) => {
    const files = fixturePolicies();
    files['development-reform.yaml'] = `${files['development-reform.yaml']!.trimEnd()}\n${grant}\n`;
    return compileYaml(files);
  };
  const GRANT = `
  - id: DRC-2026-099
    consumer: city-analytics
    purposes: [statistics]
    fields: [InvestmentProject.budgetDetail]
    expires: 2027-06-30
    approvedBy: 李强 (CDO)`;

  it('compiles requireCase, casePattern and retainDays onto the grant', () => {
    const { policySet, problems } = withGrant(`${GRANT}
    requireCase: true
    casePattern: 'FGW-\\d{4}-\\d{6}'
    retainDays: 30`);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    const grant = policySet!.grants.find((g) => g.id === 'DRC-2026-099')!;
    expect(grant.retainDays).toBe(30);
    expect(grant.requiresCase?.format?.pattern).toBe('FGW-\\d{4}-\\d{6}');
    expect(grant.requiresCase?.format?.matches('FGW-2026-000001')).toBe(true);
  });

  it('refuses a pattern that does not compile, naming the line and why', () => {
    const { policySet, problems } = withGrant(`${GRANT}
    requireCase: true
    casePattern: '(a+'`);
    expect(policySet).toBeUndefined();
    expect(problems).toContainEqual(
      expect.objectContaining({
        severity: 'error',
        message: expect.stringContaining('a group that is not closed'),
        location: expect.objectContaining({ file: 'development-reform.yaml' }),
      }),
    );
  });

  it('refuses a casePattern without requireCase: true', () => {
    const { problems } = withGrant(`${GRANT}
    casePattern: 'FGW-\\d+'`);
    expect(problems).toContainEqual(
      expect.objectContaining({ severity: 'error', message: expect.stringContaining('does not require a case') }),
    );
  });

  it('refuses a retention that is not a whole number of days', () => {
    const { problems } = withGrant(`${GRANT}
    retainDays: -1`);
    expect(problems.some((p) => p.severity === 'error' && /retainDays/.test(p.message))).toBe(true);
  });
});
