import { DEFAULT_CONSUMERS_FILE, DEFAULT_POLICY_DIR } from '@cdo-hub/gateway';
import { repoRoot } from '@cdo-hub/subgraph-kit';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/freePort';
import { GatewayProcess } from '../harness/gatewayProcess';
import { as } from '../harness/hubProcess';
import { readOnlyHub, type ReadOnlyHub } from '../harness/sharedHub';
import { until } from '../harness/until';

// The policies as a CDO changes them: reloaded without restart or failed requests, an invalid
// edit refused while the last good version keeps serving; `onDenied: reject`; `--open` mode.

let hub: ReadOnlyHub;
let policyDir: string;
let gateway: GatewayProcess;
let haidianSchool: string;

const subgraphUrls = () => ({
  EDUCATION_URL: `http://127.0.0.1:${hub.ports.education}/graphql`,
  DEVELOPMENT_REFORM_URL: `http://127.0.0.1:${hub.ports['development-reform']}/graphql`,
  SCIENCE_URL: `http://127.0.0.1:${hub.ports.science}/graphql`,
});

async function post(url: string, query: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { data?: any; errors?: { extensions?: Record<string, any> }[] },
  };
}

beforeAll(async () => {
  hub = await readOnlyHub();
  const education = hub.database('education');
  haidianSchool = education.get<{ code: string }>(
    "SELECT code FROM schools WHERE district_code = '110108' AND enrolment > 3 ORDER BY code",
  )!.code;
  education.close();
  policyDir = mkdtempSync(join(tmpdir(), 'policies-'));
  cpSync(DEFAULT_POLICY_DIR, join(policyDir, 'policies'), { recursive: true });
  cpSync(DEFAULT_CONSUMERS_FILE, join(policyDir, 'consumers.yaml'));
  gateway = await GatewayProcess.start(
    ['--supergraph', join(repoRoot(), 'schema', 'supergraph.graphql')],
    await freePort(),
    {
      ...subgraphUrls(),
      POLICY_DIR: join(policyDir, 'policies'),
      CONSUMERS_FILE: join(policyDir, 'consumers.yaml'),
    },
  );
});

afterAll(async () => {
  await gateway?.stop();
  await hub?.release();
  rmSync(policyDir, { recursive: true, force: true });
});

describe('hot reload', () => {
  const educationPolicy = () => join(policyDir, 'policies', 'education.yaml');
  const grantToScience = `
  - id: EDU-TEST-SCIENCE
    consumer: science
    purposes: [industrial-policy]
    fields: [School.students]
    expires: 2099-12-31
    approvedBy: test CDO
`;

  it('applies a new grant under load with zero failed requests, then refuses an invalid edit and keeps the last good policy', async () => {
    const headers = await as('science', 'industrial-policy');
    const query = `{ school(code: "${haidianSchool}") { name students(first: 1) { totalCount } } }`;
    let failed = 0;
    let sent = 0;
    let granted = 0;
    let running = true;
    const worker = async () => {
      while (running) {
        const { status, body } = await post(gateway.url, query, headers);
        sent++;
        const codes = (body.errors ?? []).map((e) => e.extensions?.code);
        if (status !== 200 || !body.data?.school?.name || codes.some((code) => code !== 'GRANT_REQUIRED')) failed++;
        if (body.data?.school?.students?.totalCount > 0) granted++;
      }
    };
    const workers = [worker(), worker(), worker(), worker()];
    await until(() => sent >= 12, 30_000, 20, { what: 'requests under the policy without the grant' });
    expect(granted).toBe(0);

    writeFileSync(educationPolicy(), readFileSync(educationPolicy(), 'utf8') + grantToScience);
    await until(() => granted > 0, 10_000, 50, { what: 'the reloaded policy to grant' });
    expect(granted).toBeGreaterThan(0);

    // A CDO's typo: the reload is refused, the last good policy (with the grant) stays in force.
    writeFileSync(
      educationPolicy(),
      readFileSync(educationPolicy(), 'utf8').replace(
        'class: CONDITIONAL, level: L4 }',
        'class: SOMETIMES, level: L4 }',
      ),
    );
    await until(() => /policy reload refused/.test(gateway.log), 10_000, 50, { what: 'the reload to be refused' });
    const grantedBefore = granted;
    await until(() => granted > grantedBefore + 5, 30_000, 20, { what: 'grants to go on after the refused reload' });
    running = false;
    await Promise.all(workers);
    expect(granted).toBeGreaterThan(grantedBefore);
    expect(gateway.log).toMatch(/policy reload refused/);
    expect(sent).toBeGreaterThan(20);
    expect(failed).toBe(0);
  });
});

describe('onDenied: reject', () => {
  it('refuses the whole operation, listing every withheld coordinate', async () => {
    const rejecting = await GatewayProcess.start([], await freePort(), { ...subgraphUrls(), HUB_ON_DENIED: 'reject' });
    try {
      const { status, body } = await post(
        rejecting.url,
        `{ school(code: "${haidianSchool}") { name students { nodes { idNumber name } } } }`,
        await as('city-analytics', 'statistics'),
      );
      expect([status, body.data ?? null, body.errors]).toEqual([403, null, expect.anything()]);
      expect(body.errors![0]!.extensions).toMatchObject({
        code: 'OPERATION_DENIED',
        denied: [
          { coordinate: 'Student.idNumber', code: 'FIELD_NOT_SHARED', agency: 'education' },
          { coordinate: 'Student.name', code: 'GRANT_REQUIRED', agency: 'education' },
        ],
      });
      const allowed = await post(
        rejecting.url,
        `{ school(code: "${haidianSchool}") { name } }`,
        await as('city-analytics', 'statistics'),
      );
      expect(allowed.status).toBe(200);
    } finally {
      await rejecting.stop();
    }
  });
});

describe('--open', () => {
  it('serves everything with no policy and warns loudly at start-up', async () => {
    const open = await GatewayProcess.start(['--open'], await freePort(), subgraphUrls());
    try {
      expect(open.log).toMatch(/OPEN MODE: no sharing policy is enforced/);
      const { body } = await post(
        open.url,
        `{ school(code: "${haidianSchool}") { students(first: 1) { nodes { idNumber } } } }`,
      );
      expect(body.data.school.students.nodes[0].idNumber).toMatch(/^\d{17}[\dX]$/);
    } finally {
      await open.stop();
    }
  });
});
