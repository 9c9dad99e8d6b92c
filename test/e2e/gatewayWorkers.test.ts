import { repoRoot } from '@cdo-hub/subgraph-kit';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { as, TEST_SECRETS } from '../harness/hubProcess';
import { TestProcess } from '../harness/testProcess';
import { until } from '../harness/until';
import { onFreshConnection, WorkersHub } from '../harness/workersHub';

// A gateway of two worker processes on one port (GATEWAY_WORKERS=2): requests spread over both,
// a consumer's rate limit is the limit across them, a worker that dies is restarted, and SIGTERM
// to the primary drains both. Each request goes on a connection of its own, so the cluster hands
// successive ones to each worker in turn; the request log line says which worker answered.

const WORKERS = 2;
let hub: WorkersHub;
let consumersDir: string;

/** The registry with science limited to 4 requests a minute. */
function consumersWithOwnLimit(): string {
  consumersDir = mkdtempSync(join(tmpdir(), 'cdo-hub-consumers-'));
  const file = join(consumersDir, 'consumers.yaml');
  const registry = readFileSync(join(repoRoot(), 'schema', 'consumers.yaml'), 'utf8');
  writeFileSync(file, registry.replace(/( {2}- id: science\n)/, '$1    rateLimitPerMinute: 4\n'));
  return file;
}

beforeAll(async () => {
  hub = await WorkersHub.start(WORKERS, { CONSUMERS_FILE: consumersWithOwnLimit(), SHUTDOWN_DELAY_MS: '2000' });
}, 180_000);

afterAll(async () => {
  await hub?.stop();
  rmSync(consumersDir, { recursive: true, force: true });
});

const DISTRICTS = { query: '{ districts(first: 2) { nodes { code name } } }' };

/** Asks on `count` fresh connections; resolves each answer with the worker that served it. */
async function spread(count: number, headers: Record<string, string>, body: unknown = DISTRICTS) {
  const answers = [];
  for (let i = 0; i < count; i++) answers.push(await onFreshConnection(hub.url, { headers, body }));
  return answers;
}

async function workersOf(requestIds: string[]): Promise<number[]> {
  let workers: (number | undefined)[] = [];
  await until(() => (workers = requestIds.map((id) => hub.workerOf(id))).every((w) => w !== undefined), 5000, 50, {
    what: 'the request log lines of every request',
  });
  return workers as number[];
}

it('serves one port from two worker processes under a primary that serves no request', async () => {
  expect(hub.workerPids()).toHaveLength(WORKERS);
  const answers = await spread(6, await as('district-haidian', 'enrollment-planning'));
  expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
  expect(answers.every((a) => a.body.data.districts.nodes.length === 2)).toBe(true);
  const workers = await workersOf(answers.map((a) => String(a.headers['x-request-id'])));
  expect(new Set(workers)).toEqual(new Set([1, 2]));
  expect((await onFreshConnection(new URL('/readyz', hub.url).href)).status).toBe(200);
});

it("holds a consumer's limit across the workers, not once per worker", async () => {
  const science = await as('science', 'industrial-policy');
  const answers = await spread(8, science, { query: '{ __typename }' });
  expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 429, 429, 429, 429]);
  // The four it let through came from both workers: each counted in the one window.
  const allowed = answers.filter((a) => a.status === 200).map((a) => String(a.headers['x-request-id']));
  expect(new Set(await workersOf(allowed))).toEqual(new Set([1, 2]));
  expect(answers.find((a) => a.status === 429)!.body.errors[0].extensions.code).toBe('RATE_LIMITED');
});

it('restarts a worker that dies, logs it, and keeps answering on the port', async () => {
  const [victim, survivor] = hub.workerPids();
  process.kill(victim!, 'SIGKILL');
  await until(() => /gateway worker exited unexpectedly: restarting it/.test(hub.gateway.log), 10_000, 50, {
    what: 'the primary to log the dead worker',
  });
  await until(
    () => {
      const pids = hub.workerPids();
      return pids.length === WORKERS && !pids.includes(victim!) && pids.includes(survivor!);
    },
    30_000,
    100,
    { what: 'a new worker in the dead one’s slot' },
  );
  await until(() => (hub.gateway.log.match(/gateway worker ready/g) ?? []).length >= WORKERS + 1, 60_000, 100, {
    what: 'the new worker to be ready',
  });
  const answers = await spread(4, await as('district-haidian', 'enrollment-planning'));
  expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
  expect(new Set(await workersOf(answers.map((a) => String(a.headers['x-request-id']))))).toEqual(new Set([1, 2]));
}, 90_000);

it('drains every worker on SIGTERM to the primary: /readyz 503 first, requests in flight answered, exit 0', async () => {
  const headers = await as('city-analytics', 'statistics');
  // Held in flight: science stops answering, so a cross-agency request waits on it.
  hub.subgraphs.science!.signal('SIGSTOP');
  const held = onFreshConnection(hub.url, {
    headers,
    body: { query: '{ districts(first: 1) { nodes { code highTechEnterpriseCount } } }' },
  });
  const exited = new Promise<number | null>((resolve) => hub.gateway.child.once('exit', (code) => resolve(code)));
  hub.gateway.signal('SIGTERM');
  const readiness = new URL('/readyz', hub.url).href;
  // Both workers fail readiness during SHUTDOWN_DELAY_MS while still serving: once one says so,
  // the next two probes (one per worker, in turn) both do.
  await until(async () => (await onFreshConnection(readiness)).status === 503, 1500, 20, {
    what: 'a worker to fail readiness',
  });
  const probes = [await onFreshConnection(readiness), await onFreshConnection(readiness)];
  expect(probes.map((p) => p.status)).toEqual([503, 503]);
  expect(probes.map((p) => p.body.status)).toEqual(['draining', 'draining']);
  hub.subgraphs.science!.signal('SIGCONT');
  const answer = await held;
  expect(answer.status).toBe(200);
  expect(answer.body.data.districts.nodes).toHaveLength(1);
  expect(await exited).toBe(0);
  expect(hub.gateway.log).toContain('gateway stopped: every worker drained');
  expect((hub.gateway.log.match(/stopped: every request answered, audit trail flushed/g) ?? []).length).toBe(WORKERS);
}, 60_000);

it('exits 1 when its workers keep dying at start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdo-hub-workers-dying-'));
  // A file where the audit folder should be: every worker fails to open its chain; the primary starts fine.
  writeFileSync(join(dir, 'audit'), 'not a folder');
  const exited = TestProcess.start({
    name: 'gateway whose workers cannot start',
    args: [join(repoRoot(), 'gateway', 'dist', 'main.js')],
    env: {
      ...process.env,
      ...TEST_SECRETS,
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: '0',
      GATEWAY_WORKERS: '2',
      HUB_DATA_DIR: dir,
      SCHEMA_REGISTRY_DIR: join(dir, 'registry'),
      SUPERGRAPH_FILE: join(repoRoot(), 'schema', 'supergraph.graphql'),
      LOG_LEVEL: 'info',
    },
    ready: { ipc: true },
    readyTimeoutMs: 120_000,
  });
  await expect(exited).rejects.toThrow(/exited \(1\) before it was ready[\s\S]*gateway worker keeps dying/);
  rmSync(dir, { recursive: true, force: true });
}, 150_000);
