import { parseYamlSource } from '../formats';
import { compilePolicies, type RuntimeGrantInput } from './compilePolicies';
import { decideField } from './decideField';
import { consumer, consumers, fixturePolicies, supergraph } from './policyFixtures.test-helpers';

const now = Date.parse('2026-11-27T12:00:00+08:00');
const storeGrant = (id: string, purpose: string, extra: Partial<RuntimeGrantInput> = {}): RuntimeGrantInput => ({
  agency: 'science',
  store: '.data/grants/grants.json',
  grant: {
    id,
    consumer: 'district-haidian',
    purposes: [purpose],
    fields: ['TechnologyContract.amount'],
    expires: '2027-06-30',
    approvedBy: '李明 (CDO, science)',
  },
  ...extra,
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
const decide = (runtimeGrants: RuntimeGrantInput[], purpose: string, at = now) =>
  decideField(
    compile(runtimeGrants).policySet!,
    consumer('district-haidian'),
    purpose,
    'TechnologyContract.amount',
    at,
  );

describe('revoked store grants', () => {
  const revoked = { revoked: { at: '2026-11-20T03:00:00.000Z', by: '李明 (science-cdo)' } };

  it('release nothing, and the denial says the grant was revoked', () => {
    expect(decide([storeGrant('GRANT-2026-0001', 'planning')], 'planning')).toMatchObject({ effect: 'allow' });
    const decision = decide([storeGrant('GRANT-2026-0001', 'planning', revoked)], 'planning');
    expect(decision).toMatchObject({ effect: 'deny', code: 'GRANT_REVOKED', agency: 'science', purpose: 'planning' });
    expect(decision.rulings[0]).toMatchObject({ grant: { id: 'GRANT-2026-0001' } });
    expect(decision.rulings[0]!.because).toBe('CONDITIONAL; grant GRANT-2026-0001 was revoked on 2026-11-20');
  });

  it('are not in force: absent from the grants, the catalog and every lookup of grants held', () => {
    const { policySet, problems } = compile([storeGrant('GRANT-2026-0001', 'planning', revoked)]);
    expect(problems).toEqual([]);
    expect(policySet!.grants.map((g) => g.id)).not.toContain('GRANT-2026-0001');
    expect(policySet!.grantsFor('district-haidian', 'TechnologyContract.amount')).toEqual([]);
    expect(policySet!.revokedGrantsFor('district-haidian', 'TechnologyContract.amount').map((g) => g.id)).toEqual([
      'GRANT-2026-0001',
    ]);
  });

  it('bind the purpose they were for: another purpose is told it holds no grant', () => {
    expect(decide([storeGrant('GRANT-2026-0001', 'planning', revoked)], 'enrollment-planning')).toMatchObject({
      code: 'GRANT_REQUIRED',
    });
  });

  it('give way to a grant in force for the same field and purpose, and come before an expired one', () => {
    const renewed = storeGrant('GRANT-2026-0002', 'planning');
    expect(decide([storeGrant('GRANT-2026-0001', 'planning', revoked), renewed], 'planning').effect).toBe('allow');
    const expired = storeGrant('GRANT-2026-0003', 'planning', {
      grant: { ...(storeGrant('x', 'planning').grant as object), id: 'GRANT-2026-0003', expires: '2026-11-01' },
    });
    expect(decide([expired], 'planning')).toMatchObject({ code: 'GRANT_EXPIRED' });
    expect(decide([expired, storeGrant('GRANT-2026-0001', 'planning', revoked)], 'planning')).toMatchObject({
      code: 'GRANT_REVOKED',
    });
  });

  it('change the policy version, so no decision made under the grant outlives its revocation', () => {
    const before = compile([storeGrant('GRANT-2026-0001', 'planning')]).policySet!.version;
    const after = compile([storeGrant('GRANT-2026-0001', 'planning', revoked)]).policySet!.version;
    expect(after).not.toBe(before);
  });
});
