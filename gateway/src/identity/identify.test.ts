import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consumers } from '../policy/policyFixtures.test-helpers';
import { identify } from './identify';
import { operatorAccess } from './operatorAccess';
import { refuseRolesNotHeld } from './presentedRoles';
import { statedPurpose } from './purposeRule';
import { loadSecrets } from './secrets';
import { createTokenVerifier, signDevelopmentToken, signSubjectToken } from './tokens';

const secret = 'a-development-secret-of-at-least-32-chars';
const verify = createTokenVerifier({ kind: 'hs256', secret });
const options = { directory: consumers, verify, requireToken: false };

describe('identify', () => {
  const token = (consumer: string, purpose?: string) =>
    signDevelopmentToken(secret, { consumer, ...(purpose ? { purpose } : {}), ttlSeconds: 60 });

  it('treats a request without a token as the public, or refuses it when tokens are required', async () => {
    await expect(identify({}, options)).resolves.toMatchObject({
      ok: true,
      identity: { consumer: { id: 'public' }, anonymous: true },
    });
    await expect(identify({}, { ...options, requireToken: true })).resolves.toMatchObject({
      ok: false,
      code: 'UNAUTHENTICATED',
    });
  });

  it("refuses a data subject's token as a consumer, whatever the request says (SUBJECT_NOT_A_CONSUMER)", async () => {
    const subject = await signSubjectToken(secret, { subject: '11010519491231002X', ttlSeconds: 60 });
    await expect(verify(subject)).resolves.toMatchObject({ subject: '11010519491231002X', roles: [] });
    for (const purpose of [undefined, 'planning'])
      await expect(identify({ authorization: `Bearer ${subject}`, purpose }, options)).resolves.toMatchObject({
        ok: false,
        code: 'SUBJECT_NOT_A_CONSUMER',
      });
  });

  it("binds the token's purpose claim: the header may repeat it, never replace it", async () => {
    const bearer = `Bearer ${await token('district-haidian', 'planning')}`;
    await expect(identify({ authorization: bearer }, options)).resolves.toMatchObject({
      ok: true,
      identity: { consumer: { id: 'district-haidian' }, purpose: 'planning', purposeBound: true },
    });
    await expect(identify({ authorization: bearer, purpose: ' planning ' }, options)).resolves.toMatchObject({
      ok: true,
      identity: { purpose: 'planning' },
    });
    await expect(identify({ authorization: bearer, purpose: 'enrollment-planning' }, options)).resolves.toMatchObject({
      ok: false,
      code: 'PURPOSE_MISMATCH',
      message: expect.stringMatching(/issued for purpose "planning"/),
    });
    // Admin routes need no purpose, but a bound one still may not be restated.
    await expect(
      identify({ authorization: bearer, purpose: 'enrollment-planning' }, { ...options, purposeRequired: false }),
    ).resolves.toMatchObject({ ok: false, code: 'PURPOSE_MISMATCH' });
  });

  it('takes the purpose from the header when the token states none', async () => {
    const bearer = `Bearer ${await token('district-haidian')}`;
    const result = await identify({ authorization: bearer, purpose: 'enrollment-planning' }, options);
    expect(result).toMatchObject({ ok: true, identity: { purpose: 'enrollment-planning' } });
    expect(result.ok && result.identity.purposeBound).toBeFalsy();
  });

  it('refuses a token claiming a role its consumer does not hold, however the request is made', async () => {
    const withRoles = async (consumer: string, roles: string[]) =>
      `Bearer ${await signDevelopmentToken(secret, { consumer, roles, ttlSeconds: 60 })}`;
    // The attack: city-analytics with an education CDO token approved its own request.
    for (const purposeRequired of [true, false]) {
      await expect(
        identify(
          { authorization: await withRoles('city-analytics', ['cdo:education']), purpose: 'statistics' },
          { ...options, purposeRequired },
        ),
      ).resolves.toMatchObject({
        ok: false,
        code: 'ROLE_NOT_HELD',
        message: expect.stringMatching(
          /city-analytics does not hold the role cdo:education \(roles it may hold, per the consumer directory: none\)/,
        ),
      });
    }
    await expect(
      identify(
        { authorization: await withRoles('education', ['cdo:science']) },
        { ...options, purposeRequired: false },
      ),
    ).resolves.toMatchObject({ ok: false, code: 'ROLE_NOT_HELD' });
    await expect(
      identify(
        { authorization: await withRoles('education', ['cdo:education', 'hub-operator']) },
        { ...options, purposeRequired: false },
      ),
    ).resolves.toMatchObject({
      ok: false,
      code: 'ROLE_NOT_HELD',
      message: expect.stringMatching(/the role hub-operator/),
    });
    await expect(
      identify(
        { authorization: await withRoles('education', ['cdo:education']) },
        { ...options, purposeRequired: false },
      ),
    ).resolves.toMatchObject({ ok: true, identity: { roles: ['cdo:education'] } });
    await expect(
      identify(
        { authorization: await withRoles('education-cdo', ['cdo:education']) },
        { ...options, purposeRequired: false },
      ),
    ).resolves.toMatchObject({ ok: true, identity: { consumer: { kind: 'CDO' } } });
    await expect(
      identify(
        { authorization: await withRoles('hub-operations', ['hub-operator']) },
        { ...options, purposeRequired: false },
      ),
    ).resolves.toMatchObject({ ok: true, identity: { roles: ['hub-operator'] } });
    // CDO identities and operators state no purpose: they read no data.
    await expect(
      identify({ authorization: await withRoles('education-cdo', ['cdo:education']), purpose: 'operations' }, options),
    ).resolves.toMatchObject({ ok: false, code: 'PURPOSE_NOT_REGISTERED' });
  });

  it('refuses with catalogued codes', async () => {
    await expect(identify({ authorization: 'Basic abc' }, options)).resolves.toMatchObject({
      ok: false,
      code: 'INVALID_TOKEN',
    });
    await expect(identify({ authorization: 'Bearer not.a.token' }, options)).resolves.toMatchObject({
      ok: false,
      code: 'INVALID_TOKEN',
    });
    await expect(identify({ authorization: `Bearer ${await token('nobody', 'x')}` }, options)).resolves.toMatchObject({
      ok: false,
      code: 'UNKNOWN_CONSUMER',
    });
    await expect(identify({ authorization: `Bearer ${await token('public', 'x')}` }, options)).resolves.toMatchObject({
      ok: false,
      code: 'UNKNOWN_CONSUMER',
    });
    await expect(identify({ authorization: `Bearer ${await token('science')}` }, options)).resolves.toMatchObject({
      ok: false,
      code: 'PURPOSE_REQUIRED',
    });
    await expect(
      identify({ authorization: `Bearer ${await token('science')}`, purpose: 'statistics' }, options),
    ).resolves.toMatchObject({ ok: false, code: 'PURPOSE_NOT_REGISTERED' });
  });
});

describe('purpose rule (pure)', () => {
  it('lets a claim bind and the header speak only where there is no claim', () => {
    expect(statedPurpose(undefined, undefined)).toEqual({ ok: true, purpose: undefined, boundByToken: false });
    expect(statedPurpose('statistics', undefined)).toEqual({ ok: true, purpose: 'statistics', boundByToken: false });
    expect(statedPurpose(undefined, 'planning')).toEqual({ ok: true, purpose: 'planning', boundByToken: true });
    expect(statedPurpose('planning', 'planning')).toEqual({ ok: true, purpose: 'planning', boundByToken: true });
    expect(statedPurpose('  ', 'planning')).toEqual({ ok: true, purpose: 'planning', boundByToken: true });
    expect(statedPurpose('statistics', 'planning')).toMatchObject({ ok: false, code: 'PURPOSE_MISMATCH' });
  });
});

describe('roles presented (pure)', () => {
  it('accepts the roles the consumer directory lets the consumer hold, and nothing else', () => {
    expect(refuseRolesNotHeld({ id: 'education', roles: ['cdo:education'] }, [])).toBeUndefined();
    expect(
      refuseRolesNotHeld({ id: 'education', roles: ['cdo:education'] }, ['cdo:education', 'cdo:education']),
    ).toBeUndefined();
    expect(
      refuseRolesNotHeld({ id: 'education', roles: ['cdo:education'] }, ['cdo:education', 'cdo:science', 'root']),
    ).toMatchObject({
      code: 'ROLE_NOT_HELD',
      message: expect.stringMatching(/does not hold the roles cdo:science, root/),
    });
    expect(refuseRolesNotHeld({ id: 'city-analytics', roles: [] }, ['cdo:education'])).toMatchObject({
      code: 'ROLE_NOT_HELD',
    });
  });
});

describe('operator access (pure)', () => {
  const consumer = (id: string) => consumers.consumers.get(id)!;
  const as = (id: string, roles: string[]) => ({
    ok: true as const,
    identity: { consumer: consumer(id), purpose: undefined, roles, anonymous: false },
  });
  it('takes a hub-operator token: 401 without one, 403 with another, the refusal of a bad one as it is', () => {
    expect(operatorAccess(undefined, 'GET /metrics')).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
    expect(operatorAccess({ ok: false, code: 'ROLE_NOT_HELD', message: 'x' }, 'GET /metrics')).toMatchObject({
      ok: false,
      code: 'ROLE_NOT_HELD',
    });
    expect(operatorAccess(as('education', ['cdo:education']), 'GET /metrics')).toMatchObject({
      ok: false,
      code: 'FORBIDDEN',
      message: expect.stringMatching(/takes the role hub-operator/),
    });
    expect(operatorAccess(as('hub-operations', ['hub-operator']), 'GET /metrics')).toEqual({
      ok: true,
      operator: 'hub-operations',
    });
  });
});

describe('secrets', () => {
  it('generates development secrets once, into a private file, and reuses them', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'secrets-')), 'nested', 'secrets.json');
    const first = loadSecrets({ production: false, env: {}, file });
    expect(first.origin).toBe('development-file');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadSecrets({ production: false, env: {}, file })).toEqual(first);
    expect(JSON.parse(readFileSync(file, 'utf8')).jwtSecret).toBe(first.jwtSecret);
  });

  it('demands them from the environment in production', () => {
    expect(() => loadSecrets({ production: true, env: {} })).toThrow(/HUB_JWT_SECRET/);
    const env = {
      HUB_JWT_SECRET: 'x'.repeat(32),
      HUB_SUBGRAPH_SIGNING_KEY: 'y'.repeat(32),
      HUB_MASK_HASH_KEY: 'z'.repeat(32),
    };
    expect(loadSecrets({ production: true, env })).toMatchObject({ jwtSecret: 'x'.repeat(32), origin: 'environment' });
    expect(() => loadSecrets({ production: true, env: { ...env, HUB_JWT_SECRET: 'short' } })).toThrow(/at least 32/);
  });
});
