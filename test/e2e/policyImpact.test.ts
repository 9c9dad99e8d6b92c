import { DEFAULT_CONSUMERS_FILE, DEFAULT_POLICY_DIR, DEFAULT_SUPERGRAPH_FILE } from '@cdo-hub/gateway';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/freePort';
import { GatewayProcess } from '../harness/gatewayProcess';
import { hubCli } from '../harness/hubCli';
import { as } from '../harness/hubProcess';
import { readOnlyHub, type ReadOnlyHub } from '../harness/sharedHub';
import { until } from '../harness/until';

// Impact before a policy change (issue 18, items 1 and 2), with real processes: a gateway with its
// own policy folder and audit trail; a CDO makes School.address CONDITIONAL. Hot reload refuses it
// (it would blank every school for the consumers who lose it) and `hub policy check` fails;
// `hub policy impact` on the trail the gateway wrote names the consumer whose operation changes
// and the object that would become null.

let hub: ReadOnlyHub;
let gateway: GatewayProcess;
let dir: string;
let school: string;

const policyDir = () => join(dir, 'policies');
const auditDir = () => join(dir, 'data', 'audit');
// What the CLI reads: the gateway's policies, registry, grant store and audit trail.
const cliEnv = () => ({
  POLICY_DIR: policyDir(),
  CONSUMERS_FILE: join(dir, 'consumers.yaml'),
  HUB_DATA_DIR: join(dir, 'data'),
  SCHEMA_REGISTRY_DIR: join(dir, 'registry'),
  SUPERGRAPH_FILE: DEFAULT_SUPERGRAPH_FILE,
});

const addressConditional = (extra: string) =>
  readFileSync(join(DEFAULT_POLICY_DIR, 'education.yaml'), 'utf8').replace(
    /^( {6}name: \{ class: UNCONDITIONAL, level: L1, open: OPEN \}\n)/m,
    `$1      address: { class: CONDITIONAL, level: L2${extra} }\n`,
  );

async function post(query: string, headers: Record<string, string>) {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: unknown[] } };
}

const trailText = () =>
  existsSync(auditDir())
    ? readdirSync(auditDir())
        .map((f) => readFileSync(join(auditDir(), f), 'utf8'))
        .join('\n')
    : '';

beforeAll(async () => {
  hub = await readOnlyHub();
  const education = hub.database('education');
  school = education.get<{ code: string }>('SELECT code FROM schools ORDER BY code')!.code;
  education.close();
  dir = mkdtempSync(join(tmpdir(), 'policy-impact-'));
  cpSync(DEFAULT_POLICY_DIR, policyDir(), { recursive: true });
  cpSync(DEFAULT_CONSUMERS_FILE, join(dir, 'consumers.yaml'));
  gateway = await GatewayProcess.start(['--supergraph', DEFAULT_SUPERGRAPH_FILE], await freePort(), {
    ...cliEnv(),
    LOG_LEVEL: 'info',
    EDUCATION_URL: `http://127.0.0.1:${hub.ports.education}/graphql`,
    DEVELOPMENT_REFORM_URL: `http://127.0.0.1:${hub.ports['development-reform']}/graphql`,
    SCIENCE_URL: `http://127.0.0.1:${hub.ports.science}/graphql`,
  });
});

afterAll(async () => {
  await gateway?.stop();
  await hub?.release();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('hot reload refuses a change that would blank schools, naming the field, where nulls land and who loses them', async () => {
  const card = `query SchoolCard { school(code: "${school}") { code name address } }`;
  const before = await post(card, await as('science', 'industrial-policy'));
  expect(before.body.data?.school?.address).toEqual(expect.any(String));

  writeFileSync(join(policyDir(), 'education.yaml'), addressConditional(''));
  await until(() => /policy reload refused/.test(gateway.log), 10_000, 50, { what: 'the reload to be refused' });
  expect(gateway.log).toMatch(
    /School\.address is non-null but CONDITIONAL: for a consumer denied it, every School becomes null \(at [^)]*Query\.school[^)]*\); consumers affected: [^"]*science/,
  );
  // The last good policy stays in force: the school is still there, address and all.
  const after = await post(card, await as('science', 'industrial-policy'));
  expect(after.body.data?.school?.address).toBe(before.body.data.school.address);

  const check = await hubCli(['policy', 'check'], cliEnv());
  expect(check.code).toBe(1);
  expect(check.stdout).toMatch(/education\.yaml:\d+: error: School\.address is non-null but CONDITIONAL/);
  expect(check.stdout).toContain('allowBlanking: true');
  writeFileSync(join(policyDir(), 'education.yaml'), readFileSync(join(DEFAULT_POLICY_DIR, 'education.yaml')));
});

it('hub policy impact names the consumer whose recent operation would change, and the object that would become null', async () => {
  const card = `query SchoolCard { school(code: "${school}") { code name address } }`;
  for (let i = 0; i < 2; i++) expect((await post(card, await as('science', 'industrial-policy'))).status).toBe(200);
  expect((await post(card, await as('education', 'operations'))).status).toBe(200);
  await until(() => (trailText().match(/"operationName":"SchoolCard"/g) ?? []).length >= 4, 10_000, 50, {
    what: 'the trail to hold the operations',
  });

  const changed = join(dir, 'education-next.yaml');
  writeFileSync(changed, addressConditional(''));
  const refused = await hubCli(['policy', 'impact', '--agency', 'education', '--file', changed], cliEnv());
  expect(refused.code).toBe(1);
  expect(refused.stdout).toMatch(/School\.address is non-null but CONDITIONAL/);
  expect(refused.stdout).toMatch(/the gateway would refuse .*education-next\.yaml; no impact computed/);

  writeFileSync(changed, addressConditional(', allowBlanking: true'));
  const impact = await hubCli(['policy', 'impact', '--agency', 'education', '--file', changed], cliEnv());
  expect(impact.code).toBe(0);
  expect(impact.stdout).toMatch(/impact on \d+ operation\(s\) consumers sent since/);
  expect(impact.stdout).toMatch(
    /science \(industrial-policy\) SchoolCard, sent \d+×: School\.address withheld \(allow → deny GRANT_REQUIRED\) at school\.address/,
  );
  expect(impact.stdout).toMatch(
    /science \(industrial-policy\) SchoolCard: School\.address withheld → school becomes null/,
  );
  // The education commission reads its own data in full: its operation does not change.
  expect(impact.stdout).not.toMatch(/^ {2}education \(operations\)/m);
  // Nothing was applied: the file in force is unchanged and the school still has its address.
  expect(readFileSync(join(policyDir(), 'education.yaml'), 'utf8')).toBe(
    readFileSync(join(DEFAULT_POLICY_DIR, 'education.yaml'), 'utf8'),
  );
});
