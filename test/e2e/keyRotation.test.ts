import { signedSubgraphHeaders } from '@cdo-hub/gateway/signing';
import { AGENCIES, AgencyDatabase, repoRoot } from '@cdo-hub/subgraph-kit';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgencyProcess, seedAgencyDatabases } from '../harness/agencyProcess';
import { freePort } from '../harness/freePort';
import { GatewayProcess } from '../harness/gatewayProcess';
import { hubCli, hubCliOk } from '../harness/hubCli';
import { TEST_SECRETS, tokenFor } from '../harness/hubProcess';
import { startOnFreePorts } from '../harness/testProcess';

// The rotation of every key the hub signs with, walked in the order docs/operations/key-rotation.md
// gives, with real processes: the agencies first (new key current, old key previous), one at a
// time; then the gateway (new subgraph signing key and JWT secret, the old ones previous); then the
// agencies again without the old key. At every step a cross-agency query answers; a cursor and a
// token from before the rotation keep working for as long as the docs promise; the audit trail,
// with checkpoints under both keys, verifies with the old key given and fails clearly without it.

const OLD_KEY = TEST_SECRETS.HUB_SUBGRAPH_SIGNING_KEY;
const NEW_KEY = 'e2e-subgraph-signing-key-after-rotation-0123456789';
const OLD_JWT = TEST_SECRETS.HUB_JWT_SECRET;
const NEW_JWT = 'e2e-jwt-secret-after-rotation-0123456789abcdefghij';

let dataDir: string;
let gatewayPort: number;
let gateway: GatewayProcess | undefined;
const agencies: Record<string, AgencyProcess> = {};
const ports: Record<string, number> = {};

const agencyUrl = (id: string) => `http://127.0.0.1:${ports[id]}/graphql`;

async function startAgency(id: string, env: NodeJS.ProcessEnv): Promise<void> {
  if (ports[id] === undefined) {
    agencies[id] = await startOnFreePorts(async () =>
      AgencyProcess.start(id, (ports[id] = await freePort()), dataDir, env),
    );
    return;
  }
  await agencies[id]!.stop();
  agencies[id] = await AgencyProcess.start(id, ports[id]!, dataDir, env);
}

async function startGateway(env: NodeJS.ProcessEnv): Promise<void> {
  const settings = {
    HUB_DATA_DIR: dataDir,
    // Every answer from the agencies, none from a cache: each step is checked against them.
    CACHE: 'off',
    ...Object.fromEntries(AGENCIES.map((agency) => [`${agency.envPrefix}_URL`, agencyUrl(agency.id)])),
    ...env,
  };
  const args = ['--supergraph', join(repoRoot(), 'schema', 'supergraph.graphql')];
  if (gateway) {
    expect(await gateway.stop()).toBe(0);
    gateway = await GatewayProcess.start(args, gatewayPort, settings);
  } else {
    gateway = await startOnFreePorts(async () =>
      GatewayProcess.start(args, (gatewayPort = await freePort()), settings),
    );
  }
}

async function query(text: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(gateway!.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: text, variables }),
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
}

/** The README's cross-agency question: every district's schools, investment projects and technology contracts. */
async function expectCrossAgencyAnswer(): Promise<void> {
  const { status, body } = await query(
    '{ districts(first: 3) { nodes { name schoolCount investmentProjectCount technologyContractAmount } } }',
    {},
  );
  expect(body.errors).toBeUndefined();
  expect(status).toBe(200);
  expect(body.data.districts.nodes).toHaveLength(3);
  for (const district of body.data.districts.nodes) {
    expect(district.schoolCount).toEqual(expect.any(Number));
    expect(district.investmentProjectCount).toEqual(expect.any(Number));
    expect(district.technologyContractAmount).toEqual(expect.any(Number));
  }
}

const ROSTER =
  'query Roster($code: ID!, $after: String) { school(code: $code) { students(first: 5, after: $after) { nodes { grade } pageInfo { hasNextPage endCursor } } } }';
let school: string;
/** A Haidian planner's token, signed before the rotation under the old JWT secret. */
let tokenBeforeRotation: string;

async function rosterPage(after: string | null, token = tokenBeforeRotation) {
  return query(
    ROSTER,
    { code: school, after },
    { authorization: `Bearer ${token}`, 'x-data-purpose': 'enrollment-planning' },
  );
}

async function direct(key: string): Promise<{ status: number; reason?: string }> {
  const body = { query: '{ schools(first: 1) { nodes { code } } }' };
  const response = await fetch(agencyUrl('education'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signedSubgraphHeaders(key, 'education', body) },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as { errors?: { extensions?: { reason?: string } }[] };
  return { status: response.status, ...(answer.errors ? { reason: answer.errors[0]?.extensions?.reason } : {}) };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'cdo-hub-key-rotation-'));
  await seedAgencyDatabases(dataDir);
  const education = new AgencyDatabase(join(dataDir, 'education.sqlite'));
  try {
    school = education.get<{ code: string }>(
      "SELECT code FROM schools WHERE district_code = '110108' AND enrolment >= 12 ORDER BY code",
    )!.code;
  } finally {
    education.close();
  }
  for (const agency of AGENCIES) await startAgency(agency.id, {});
  await startGateway({});
  tokenBeforeRotation = await tokenFor('district-haidian', 'enrollment-planning');
}, 180_000);

afterAll(async () => {
  await gateway?.stop();
  for (const agency of Object.values(agencies)) await agency.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it('rotates the subgraph signing key and the JWT secret with a cross-agency answer at every step', async () => {
  await expectCrossAgencyAnswer();
  const firstPage = await rosterPage(null);
  expect(firstPage.body.errors).toBeUndefined();
  const cursorBeforeRotation: string = firstPage.body.data.school.students.pageInfo.endCursor;
  expect(firstPage.body.data.school.students.pageInfo.hasNextPage).toBe(true);

  // 1. The agencies, one at a time: the new key current, the old one previous. The gateway still signs with the old key.
  for (const agency of AGENCIES) {
    await startAgency(agency.id, { HUB_SUBGRAPH_SIGNING_KEY: NEW_KEY, HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS: OLD_KEY });
    await expectCrossAgencyAnswer();
  }
  // The agencies say a gateway still signs with the old key; the cursor sealed under it still opens.
  expect(agencies.education!.log).toMatch(/calls signed under a previous signing key/);
  const secondPage = await rosterPage(cursorBeforeRotation);
  expect(secondPage.body.errors).toBeUndefined();
  expect(secondPage.body.data.school.students.nodes.length).toBeGreaterThan(0);

  // 2. The gateway: the new keys current, the old ones previous. It opens its trail, whose checkpoints so far are under the old key.
  await startGateway({
    HUB_SUBGRAPH_SIGNING_KEY: NEW_KEY,
    HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS: OLD_KEY,
    HUB_JWT_SECRET: NEW_JWT,
    HUB_JWT_SECRET_PREVIOUS: OLD_JWT,
  });
  await expectCrossAgencyAnswer();
  // The token from before the rotation still verifies; `hub token` now signs under the new secret, which verifies too.
  expect((await rosterPage(cursorBeforeRotation)).body.errors).toBeUndefined();
  const tokenAfterRotation = (
    await hubCliOk(['token', '--consumer', 'district-haidian'], { HUB_JWT_SECRET: NEW_JWT })
  ).stdout.trim();
  const withNewToken = await rosterPage(null, tokenAfterRotation);
  expect(withNewToken.body.errors).toBeUndefined();
  expect(withNewToken.body.data.school.students.nodes.length).toBeGreaterThan(0);

  // 3. Once every signature and cursor under the old key has expired: the agencies without it.
  for (const agency of AGENCIES) {
    await startAgency(agency.id, { HUB_SUBGRAPH_SIGNING_KEY: NEW_KEY });
    await expectCrossAgencyAnswer();
  }
  // A call signed with the old key is refused; one with the new key answers.
  expect(await direct(OLD_KEY)).toEqual({ status: 401, reason: 'bad-signature' });
  expect(await direct(NEW_KEY)).toEqual({ status: 200 });
  // What waiting CURSOR_TTL spares clients: a cursor sealed under a dropped key no longer opens.
  const stale = await rosterPage(cursorBeforeRotation);
  expect(stale.status).toBe(400);
  expect(stale.body.errors?.map((error) => error.extensions?.code)).toEqual(['INVALID_CURSOR']);

  // 4. The audit trail holds checkpoints under both keys: the gateway's shutdown under each.
  expect(await gateway!.stop()).toBe(0);
  gateway = undefined;
  const audit = (env: NodeJS.ProcessEnv) =>
    hubCli(['audit', 'verify'], { HUB_DATA_DIR: dataDir, HUB_SUBGRAPH_SIGNING_KEY: NEW_KEY, ...env });
  const verified = await audit({ HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS: OLD_KEY });
  expect(verified.stderr).toBe('');
  expect(verified.code).toBe(0);
  expect(verified.stdout).toMatch(
    /^note: \d+ checkpoint\(s\), at records \d+–\d+, verified under a previous signing key \(HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS\)/m,
  );
  expect(verified.stdout).toMatch(/^audit trail OK: \d+ records/m);
  const withoutPrevious = await audit({ HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS: '' });
  expect(withoutPrevious.code).toBe(1);
  expect(withoutPrevious.stdout).toMatch(
    /checkpoint at record \d+ has a bad signature \(if HUB_SUBGRAPH_SIGNING_KEY was rotated since it was written, set HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS to the key\(s\) it replaced\)/,
  );
  expect(withoutPrevious.stdout).toMatch(/^audit trail BROKEN/m);
}, 300_000);
