import { RedisTestServer } from '@cdo-hub/gateway/testing';
import { AGENCIES, repoRoot } from '@cdo-hub/subgraph-kit';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../harness/freePort';
import { GatewayProcess } from '../harness/gatewayProcess';
import { as, HubProcess, TEST_SECRETS } from '../harness/hubProcess';

// The audit trail on a Redis Stream of its own (AUDIT_REDIS_URL): a gateway refuses a Redis that
// could drop records; with a safe one every request is recorded in the stream, `hub audit archive`
// moves the records to files, and the report and `hub audit verify` read them there.

const run = promisify(execFile);
let hub: HubProcess;
let redis: RedisTestServer;
let archiveDir: string;
const gateways: GatewayProcess[] = [];

beforeAll(async () => {
  redis = await RedisTestServer.start();
  archiveDir = mkdtempSync(join(tmpdir(), 'audit-archive-e2e-'));
  hub = await HubProcess.start({ env: { AUDIT_REDIS_URL: redis.url, AUDIT_INSTANCE: 'hub-1' } });
});

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await hub?.stop();
  await redis?.stop();
  rmSync(archiveDir, { recursive: true, force: true });
});

const hubCli = (...args: string[]) => run(process.execPath, [join(repoRoot(), 'scripts', 'bin', 'hub.js'), ...args], { env: { ...process.env, ...TEST_SECRETS, AUDIT_REDIS_URL: redis.url } });

it('records every request in the stream; archived, the report counts them and the trail verifies', async () => {
  let sent = 0;
  for (const [consumer, purpose] of [
    ['district-haidian', 'enrollment-planning'],
    ['science', 'industrial-policy'],
  ] as const) {
    for (let i = 0; i < 5; i++) {
      const { status } = await hub.query('{ schools(first: 2) { nodes { name } } }', {}, await as(consumer, purpose));
      expect(status).toBe(200);
      sent++;
    }
  }
  const { stdout } = await hubCli('audit', 'archive', '--instance', 'hub-1', '--dir', archiveDir);
  expect(stdout).toMatch(new RegExp(`archived ${sent} record\\(s\\) of instance hub-1`));
  const report = JSON.parse((await hubCli('audit', 'report', '--agency', 'education', '--format', 'json', '--dir', archiveDir)).stdout);
  expect(report.requests).toBe(sent);
  expect(report.usage.map((u: { consumer: string; requests: number }) => [u.consumer, u.requests]).sort()).toEqual([
    ['district-haidian', 5],
    ['science', 5],
  ]);
  expect((await hubCli('audit', 'verify', '--dir', archiveDir)).stdout).toMatch(`audit trail OK: ${sent} records`);
});

it('refuses to start on an audit Redis that may evict records', async () => {
  const lossy = await RedisTestServer.start({ 'maxmemory-policy': 'allkeys-lru' });
  try {
    const urls = Object.fromEntries(AGENCIES.map((agency) => [`${agency.envPrefix}_URL`, `http://127.0.0.1:${hub.ports[agency.id]}/graphql`]));
    await expect(GatewayProcess.start([], await freePort(), { AUDIT_REDIS_URL: lossy.url, ...urls })).rejects.toThrow(/may evict audit records/);
  } finally {
    await lossy.stop();
  }
});
