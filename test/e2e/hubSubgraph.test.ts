import { repoRoot } from '@cdo-hub/subgraph-kit';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/freePort';
import { GatewayProcess } from '../harness/gatewayProcess';
import { hubCli } from '../harness/hubCli';
import { TEST_SECRETS } from '../harness/hubProcess';
import { TestProcess } from '../harness/testProcess';

// `hub subgraph <agency>`: one agency's subgraph alone, as an agency hosting its own runs it — its
// database seeded if missing, its port, the hub's signing key — serving a gateway elsewhere.

let dataDir: string;
let science: TestProcess;
let port: number;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'cdo-hub-one-agency-'));
  port = await freePort();
  science = await TestProcess.start({
    name: 'hub subgraph science',
    args: [join(repoRoot(), 'scripts', 'bin', 'hub.js'), 'subgraph', 'science', '--port', String(port)],
    env: { ...process.env, ...TEST_SECRETS, HUB_DATA_DIR: dataDir, LOG_LEVEL: 'info' },
    ready: { output: /subgraph ready/ },
  });
}, 120_000);

afterAll(async () => {
  await science?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

it('seeds the missing database, listens on the port asked for and serves a gateway through signed calls', async () => {
  expect(science.log).toMatch(/seeding science \(small\)/);
  expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({ status: 'ok', agency: 'science' });
  const gateway = await GatewayProcess.start(
    ['--supergraph', join(repoRoot(), 'schema', 'supergraph.graphql'), '--open'],
    await freePort(),
    { SCIENCE_URL: `http://127.0.0.1:${port}/graphql` },
  );
  try {
    const answer = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ highTechEnterprises(first: 2) { nodes { certificateNumber } } }' }),
    });
    const body = (await answer.json()) as { data: { highTechEnterprises: { nodes: { certificateNumber: string }[] } } };
    expect(body.data.highTechEnterprises.nodes).toHaveLength(2);
    expect(body.data.highTechEnterprises.nodes[0]!.certificateNumber).toMatch(/^GR\d{4}11\d{6}$/);
  } finally {
    expect(await gateway.stop()).toBe(0);
  }
}, 90_000);

it('refuses an agency it does not know, naming the ones it does', async () => {
  const result = await hubCli(['subgraph', 'nowhere'], { HUB_DATA_DIR: dataDir });
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('unknown agency "nowhere"; one of: education, development-reform, science');
  expect(result.stdout).toBe('');
});
