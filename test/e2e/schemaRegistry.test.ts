import { RedisTestServer } from '@cdo-hub/gateway/testing';
import { AGENCIES, repoRoot } from '@cdo-hub/subgraph-kit';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../harness/freePort';
import { GatewayProcess } from '../harness/gatewayProcess';
import { until } from '../harness/until';
import { as, HubProcess } from '../harness/hubProcess';
import { hubCli as runHub } from '../harness/hubCli';

// A CDO takes a schema change from check to live with the CLI alone: the check reports what would
// break (with the consumers' operations it would break), a change that does not compose is
// refused with the registry unchanged, a publish reaches the running gateway within seconds with
// zero failed requests under load, a rollback restores the previous schema, and two gateways on
// one Redis registry both switch.

const educationSdl = readFileSync(join(repoRoot(), 'subgraphs', 'education', 'schema.graphql'), 'utf8');
const ENROLMENT = '  "Number of students enrolled."\n  enrolment: Int!\n';
const withoutEnrolment = educationSdl.replace(ENROLMENT, '');
const GRADE =
  '  "Grade: 0 kindergarten, 1-6 primary, 7-9 junior secondary, 10-12 senior secondary, 13-16 undergraduate years 1-4."\n  grade: Int\n';
const withoutGrade = educationSdl.replace(GRADE, '');
const withMotto = educationSdl.replace(
  '  address: String!\n',
  '  address: String!\n  "The school\'s motto."\n  motto: String\n',
);
const notComposing = educationSdl.replace(
  'type School @key(fields: "code") {\n  "10-digit school identifier: 2-digit type + 11 (Beijing) + serial. Does not encode the district."\n  code: ID!',
  'type School @key(fields: "code") {\n  "10-digit school identifier: 2-digit type + 11 (Beijing) + serial. Does not encode the district."\n  code: Int!',
);

describe('schema registry', () => {
  let hub: HubProcess;
  let env: NodeJS.ProcessEnv;
  const files: Record<string, string> = {};

  // A failing command's stderr is read with its stdout: the reason it refused.
  const hubCli = async (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
    const result = await runHub(args, { ...env, ...extraEnv });
    return { code: result.code, stdout: result.code === 0 ? result.stdout : result.stdout + result.stderr };
  };
  const schoolFields = async (url: string) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await as('education', 'operations')) },
      body: JSON.stringify({ query: '{ __type(name: "School") { fields { name } } }' }),
    });
    const body = (await response.json()) as { data?: { __type?: { fields: { name: string }[] } } };
    return (body.data?.__type?.fields ?? []).map((f) => f.name);
  };

  beforeAll(async () => {
    hub = await HubProcess.start();
    // EDUCATION_PORT: where `hub schema publish` finds the running subgraph, as `hub start` placed it.
    env = {
      HUB_DATA_DIR: hub.dataDir,
      SCHEMA_REGISTRY_DIR: join(hub.dataDir, 'registry'),
      EDUCATION_PORT: String(hub.ports.education),
    };
    for (const [name, sdl] of Object.entries({ withoutEnrolment, withoutGrade, withMotto, notComposing })) {
      files[name] = join(hub.dataDir, `${name}.graphql`);
      writeFileSync(files[name]!, sdl);
    }
    expect(withoutEnrolment).not.toBe(educationSdl);
    expect(withoutGrade).not.toBe(educationSdl);
    expect(withMotto).not.toBe(educationSdl);
    expect(notComposing).not.toBe(educationSdl);
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('reports a breaking change with the operations consumers sent that it would break, and how often', async () => {
    const query = 'query Enrolments { schools(first: 2) { nodes { name enrolment } } }';
    for (const [consumer, purpose] of [
      ['city-analytics', 'statistics'],
      ['city-analytics', 'statistics'],
      ['city-analytics', 'statistics'],
      ['development-reform', 'planning'],
    ] as const) {
      const { status } = await hub.query(query, {}, await as(consumer, purpose));
      expect(status).toBe(200);
    }
    const check = await hubCli(['schema', 'check', '--agency', 'education', '--sdl', files.withoutEnrolment!]);
    console.log(check.stdout);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(
      /error\s+usage\s+operation Enrolments \([0-9a-f]{12}\), sent 4 time\(s\) since \d{4}-\d\d-\d\d by city-analytics, development-reform, would no longer validate: Cannot query field "enrolment" on type "School"/,
    );
    expect(check.stdout).toMatch(/warning\s+breaking\s+FIELD_REMOVED: School\.enrolment was removed\./);
    expect(check.stdout).toMatch(/not publishable/);
    // A field a policy names: the policy would no longer compile.
    const grade = await hubCli(['schema', 'check', '--agency', 'education', '--sdl', files.withoutGrade!]);
    expect(grade.code).toBe(1);
    expect(grade.stdout).toMatch(/error\s+policy\s+.*education\.yaml:\d+: error: .*Student\.grade/);
    // --force does not override a policy that would no longer compile: gateways would refuse that supergraph.
    const forced = await hubCli([
      'schema',
      'publish',
      '--agency',
      'education',
      '--sdl',
      files.withoutGrade!,
      '--reason',
      'drop grade',
      '--force',
    ]);
    expect(forced.code).toBe(1);
    expect(forced.stdout).toMatch(
      /the supergraph or the policies must be fixed first[\s\S]*not published: the registry is unchanged/,
    );
    // From a running subgraph (`_service { sdl }`): what education serves now checks clean.
    const served = await hubCli([
      'schema',
      'check',
      '--agency',
      'education',
      '--url',
      `http://127.0.0.1:${hub.ports.education}/graphql`,
    ]);
    expect(served.code).toBe(0);
    expect(served.stdout).toMatch(/composition: ok → supergraph [0-9a-f]{16}\nno errors, 0 warning\(s\): publishable/);
    // The check alone changes nothing but seeding: every agency at v1.
    expect((await hubCli(['schema', 'list'])).stdout).toMatch(/\* +education +v1 .*seed/);
  });

  it('refuses a schema that does not compose, leaving the registry unchanged', async () => {
    const registryFile = join(hub.dataDir, 'registry', 'registry.json');
    const before = readFileSync(registryFile, 'utf8');
    const published = await hubCli([
      'schema',
      'publish',
      '--agency',
      'education',
      '--sdl',
      files.notComposing!,
      '--reason',
      'code as a number',
      '--author',
      'test CDO',
    ]);
    expect(published.code).toBe(1);
    expect(published.stdout).toMatch(/composition: FAILED/);
    expect(published.stdout).toMatch(/error\s+composition\s+.*School\.code/);
    expect(published.stdout).toMatch(/not published: the registry is unchanged/);
    expect(readFileSync(registryFile, 'utf8')).toBe(before);
  });

  it('refuses to publish fields the running subgraph does not serve, at once or after --wait', async () => {
    const registryFile = join(hub.dataDir, 'registry', 'registry.json');
    const before = readFileSync(registryFile, 'utf8');
    const args = ['schema', 'publish', '--agency', 'education', '--sdl', files.withMotto!, '--reason', 'motto'];
    const refused = await hubCli(args);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/no errors, \d+ warning\(s\): publishable/);
    expect(refused.stdout).toContain(
      `not published: the running subgraph at http://127.0.0.1:${hub.ports.education}/graphql does not serve School.motto; the registry is unchanged`,
    );
    const waited = await hubCli([...args, '--wait', '1']);
    expect(waited.code).toBe(1);
    expect(waited.stdout).toMatch(/does not serve School\.motto \(after waiting 1 s\); the registry is unchanged/);
    expect(readFileSync(registryFile, 'utf8')).toBe(before);
    expect(await schoolFields(hub.gatewayUrl)).not.toContain('motto');
  });

  it('publishes to the running gateway within seconds, with zero failed requests under load; diff and rollback', async () => {
    expect(await schoolFields(hub.gatewayUrl)).not.toContain('motto');
    let stop = false;
    let sent = 0;
    const failures: string[] = [];
    const headers = { 'content-type': 'application/json', ...(await as('development-reform', 'planning')) };
    const body = JSON.stringify({
      query:
        '{ investmentProjects(first: 3) { nodes { code name school { name enrolment } } } districts(first: 3) { nodes { code schoolCount } } }',
    });
    const load = Array.from({ length: 6 }, async () => {
      while (!stop) {
        sent++;
        try {
          const response = await fetch(hub.gatewayUrl, { method: 'POST', headers, body });
          const result = (await response.json()) as { errors?: unknown[] };
          if (response.status !== 200 || result.errors)
            failures.push(`${response.status} ${JSON.stringify(result.errors)}`);
        } catch (error) {
          failures.push(String(error));
        }
      }
    });
    await until(() => sent >= 12, 30_000, 20, { what: 'the load to be running before the publish' });
    const published = await hubCli([
      'schema',
      'publish',
      '--agency',
      'education',
      '--sdl',
      files.withMotto!,
      '--reason',
      'schools publish their motto',
      '--author',
      'test CDO',
      '--before-deploy',
    ]);
    expect(published.code).toBe(0);
    expect(published.stdout).toMatch(
      /warning\s+unclassified\s+School\.motto is new and takes its type's default in education's policy: UNCONDITIONAL L1/,
    );
    expect(published.stdout).toMatch(/published education v2: gateways now serve supergraph [0-9a-f]{16}/);
    const took = await until(async () => (await schoolFields(hub.gatewayUrl)).includes('motto'), 15_000, 25);
    const sentAtSwitch = sent;
    await until(() => sent >= sentAtSwitch + 20, 30_000, 20, { what: 'requests on the new supergraph' });
    stop = true;
    await Promise.all(load);
    console.log(
      `publish → new schema served in ${took} ms; ${sent} requests under load during the switch, ${failures.length} failed`,
    );
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(20);
    // The gateway now plans the new field to the agency (whose running subgraph, deployed from the
    // committed SDL, does not have it yet: publishing with --url from the new deployment avoids that).
    const motto = await hub.query(
      '{ schools(first: 1) { nodes { code motto } } }',
      {},
      await as('education', 'operations'),
    );
    expect(motto.body.errors?.[0]).toMatchObject({
      extensions: { agency: 'education', code: 'GRAPHQL_VALIDATION_FAILED' },
    });

    const diff = await hubCli(['schema', 'diff', 'education', 'v1', 'v2']);
    expect(diff.stdout).toMatch(/^\+ {2}motto: String$/m);
    const rollback = await hubCli(['schema', 'rollback', 'education', '--author', 'test CDO']);
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toMatch(/rolled education back to v1 as v3/);
    expect(rollback.stdout).not.toMatch(/not publishable/);
    await until(async () => !(await schoolFields(hub.gatewayUrl)).includes('motto'), 15_000, 25);
    expect((await hubCli(['schema', 'list', '--agency', 'education'])).stdout).toMatch(
      /\* +education +v3 .*rollback of v1/,
    );
  });

  it('two gateways on one Redis registry both switch', async () => {
    const redis = await RedisTestServer.start();
    const urls = Object.fromEntries(
      AGENCIES.map((agency) => [`${agency.envPrefix}_URL`, `http://127.0.0.1:${hub.ports[agency.id]}/graphql`]),
    );
    const shared = { SCHEMA_REGISTRY_REDIS_URL: redis.url, ...urls };
    const gateways = await Promise.all(
      [1, 2].map(async (i) =>
        GatewayProcess.start([], await freePort(), {
          ...env,
          ...shared,
          AUDIT_DIR: join(hub.dataDir, `audit-redis-${i}`),
        }),
      ),
    );
    try {
      for (const gateway of gateways) expect(await schoolFields(gateway.url)).not.toContain('motto');
      const published = await hubCli(
        [
          'schema',
          'publish',
          '--agency',
          'education',
          '--sdl',
          files.withMotto!,
          '--reason',
          'motto, on the shared registry',
          '--author',
          'test CDO',
          '--before-deploy',
        ],
        shared,
      );
      expect(published.code).toBe(0);
      for (const gateway of gateways) {
        await until(async () => (await schoolFields(gateway.url)).includes('motto'), 15_000, 25).catch(
          (error: Error) => {
            throw new Error(`${error.message}; gateway log:\n${gateway.log}`);
          },
        );
      }
      // The hub's own gateway follows its folder registry, not this one.
      expect(await schoolFields(hub.gatewayUrl)).not.toContain('motto');
    } finally {
      await Promise.all(gateways.map((g) => g.stop()));
      await redis.stop();
    }
  });
});
