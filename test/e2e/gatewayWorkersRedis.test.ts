import { RedisTestServer } from '@cdo-hub/gateway/testing';
import { join } from 'node:path';
import { as } from '../harness/hubProcess';
import { hubCliOk } from '../harness/hubCli';
import { onFreshConnection, WorkersHub } from '../harness/workersHub';

// A gateway of two workers writing its audit trail to a Redis Stream (AUDIT_REDIS_URL): each
// worker writes a stream instance of its own (<AUDIT_INSTANCE>-worker-N), which `hub audit
// archive` moves to that worker's folder; verify and the report then read both chains.

let redis: RedisTestServer;
let hub: WorkersHub;

beforeAll(async () => {
  redis = await RedisTestServer.start();
  hub = await WorkersHub.start(2, { AUDIT_REDIS_URL: redis.url, AUDIT_INSTANCE: 'gw', LOG_LEVEL: 'warn' });
}, 180_000);

afterAll(async () => {
  await hub?.stop();
  await redis?.stop();
});

it('keeps one stream per worker; archived to the workers’ folders, every chain verifies and the report counts them all', async () => {
  const headers = await as('district-haidian', 'enrollment-planning');
  const sent = 8;
  for (let i = 0; i < sent; i++) {
    const answer = await onFreshConnection(hub.url, {
      headers,
      body: { query: '{ schools(first: 2) { nodes { name } } }' },
    });
    expect(answer.status).toBe(200);
  }
  const auditDir = join(hub.dataDir, 'audit');
  const env = { HUB_DATA_DIR: hub.dataDir, AUDIT_REDIS_URL: redis.url };
  let archived = 0;
  for (const slot of [1, 2]) {
    const { stdout } = await hubCliOk(
      ['audit', 'archive', '--instance', `gw-worker-${slot}`, '--dir', join(auditDir, `worker-${slot}`)],
      env,
    );
    const count = Number(/archived (\d+) record\(s\) of instance gw-worker-/.exec(stdout)?.[1]);
    // Fresh connections go to each worker in turn: both streams hold records.
    expect(count).toBeGreaterThan(0);
    archived += count;
  }
  expect(archived).toBe(sent);
  const verified = await hubCliOk(['audit', 'verify', '--dir', auditDir], { HUB_DATA_DIR: hub.dataDir });
  expect(verified.stdout.split('\n').filter((line) => line.startsWith('audit trail OK'))).toHaveLength(2);
  const report = JSON.parse(
    (
      await hubCliOk(['audit', 'report', '--agency', 'education', '--format', 'json', '--dir', auditDir], {
        HUB_DATA_DIR: hub.dataDir,
      })
    ).stdout,
  ) as { requests: number };
  expect(report.requests).toBe(sent);
}, 120_000);
