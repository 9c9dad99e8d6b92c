import { readAuditTrail } from '@cdo-hub/gateway/audit';
import { RedisTestServer } from '@cdo-hub/gateway/testing';
import { AGENCIES } from '@cdo-hub/subgraph-kit';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/freePort';
import { GatewayProcess } from '../harness/gatewayProcess';
import { agencyDatabase, as, HubProcess } from '../harness/hubProcess';
import { hubCliOk } from '../harness/hubCli';
import { until } from '../harness/until';

// The Redis backends of the supervision stores. The audit trail on a Redis Stream of its own
// (AUDIT_REDIS_URL): a gateway refuses a Redis that could drop records; with a safe one every
// request is recorded in the stream, `hub audit archive` moves the records to files, and the report
// and `hub audit verify` read them there. The grant store on Redis (GRANT_STORE_REDIS_URL): two
// gateways on one store both apply an approval and a revocation.

let hub: HubProcess;
let redis: RedisTestServer;
let archiveDir: string;
const gateways: GatewayProcess[] = [];

beforeAll(async () => {
  redis = await RedisTestServer.start();
  archiveDir = mkdtempSync(join(tmpdir(), 'audit-archive-e2e-'));
  hub = await HubProcess.start({
    env: { AUDIT_REDIS_URL: redis.url, AUDIT_INSTANCE: 'hub-1', GRANT_STORE_REDIS_URL: `${redis.url}/1` },
  });
});

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await hub?.stop();
  await redis?.stop();
  rmSync(archiveDir, { recursive: true, force: true });
});

// With the hub's data folder, where its gateway keeps the audit witness the archiver checks the stream against.
const hubCli = (...args: string[]) =>
  hubCliOk(args, { HUB_DATA_DIR: hub.dataDir, AUDIT_REDIS_URL: redis.url, GRANT_STORE_REDIS_URL: `${redis.url}/1` });
const subgraphUrls = () =>
  Object.fromEntries(
    AGENCIES.map((agency) => [`${agency.envPrefix}_URL`, `http://127.0.0.1:${hub.ports[agency.id]}/graphql`]),
  );

it('records every request in the stream; archived, the report counts them and the trail verifies', async () => {
  let sent = 0;
  const receipts: string[] = [];
  for (const [consumer, purpose] of [
    ['district-haidian', 'enrollment-planning'],
    ['science', 'industrial-policy'],
  ] as const) {
    for (let i = 0; i < 5; i++) {
      const { status, headers } = await hub.query(
        '{ schools(first: 2) { nodes { name } } }',
        {},
        await as(consumer, purpose),
      );
      expect(status).toBe(200);
      receipts.push(headers.get('x-hub-receipt')!);
      sent++;
    }
  }
  const { stdout } = await hubCli('audit', 'archive', '--instance', 'hub-1', '--dir', archiveDir);
  // Each answer's receipt names its record on the stream (instance hub-1): archived, it is there with that hash.
  const archived = new Map<number, string>();
  for await (const record of readAuditTrail(archiveDir)) archived.set(record.seq, record.hash);
  for (const receipt of receipts) {
    const { audit } = JSON.parse(Buffer.from(receipt.split('.')[1]!, 'base64url').toString('utf8')) as {
      audit: { instance: string; seq: number; hash: string }[];
    };
    expect(audit).toHaveLength(1);
    expect(audit[0]!.instance).toBe('hub-1');
    expect(archived.get(audit[0]!.seq)).toBe(audit[0]!.hash);
  }
  expect(stdout).toMatch(new RegExp(`archived ${sent} record\\(s\\) of instance hub-1`));
  const report = JSON.parse(
    (await hubCli('audit', 'report', '--agency', 'education', '--format', 'json', '--dir', archiveDir)).stdout,
  );
  expect(report.requests).toBe(sent);
  expect(report.usage.map((u: { consumer: string; requests: number }) => [u.consumer, u.requests]).sort()).toEqual([
    ['district-haidian', 5],
    ['science', 5],
  ]);
  expect((await hubCli('audit', 'verify', '--dir', archiveDir)).stdout).toMatch(`audit trail OK: ${sent} records`);
  // The subjects travelled with the records: once archived, the index finds who read each school.
  const listed = await hub.query('{ schools(first: 2) { nodes { code } } }');
  const db = agencyDatabase(hub.dataDir, 'education');
  const usccOf = (code: string) => db.get<{ uscc: string }>('SELECT uscc FROM schools WHERE code = ?', [code])!.uscc;
  const schools = (listed.body.data!.schools.nodes as { code: string }[]).map((school) => usccOf(school.code));
  db.close();
  const reads = await Promise.all(
    schools.map(async (uscc) => {
      const { stdout } = await hubCli(
        'audit',
        'subject',
        '--agency',
        'education',
        '--id',
        uscc,
        '--json',
        '--dir',
        archiveDir,
      );
      return (JSON.parse(stdout) as unknown[]).length;
    }),
  );
  expect(reads).toEqual([sent, sent]);
});

it('refuses to start on an audit Redis that may evict records', async () => {
  const lossy = await RedisTestServer.start({ 'maxmemory-policy': 'allkeys-lru' });
  try {
    await expect(
      GatewayProcess.start([], await freePort(), { AUDIT_REDIS_URL: lossy.url, ...subgraphUrls() }),
    ).rejects.toThrow(/may evict audit records/);
  } finally {
    await lossy.stop();
  }
});

it('two gateways on one Redis grant store both apply an approval, then a revocation', async () => {
  const second = await GatewayProcess.start([], await freePort(), {
    AUDIT_REDIS_URL: redis.url,
    AUDIT_INSTANCE: 'hub-2',
    GRANT_STORE_REDIS_URL: `${redis.url}/1`,
    ...subgraphUrls(),
  });
  gateways.push(second);
  const headers = { 'content-type': 'application/json', ...(await as('city-analytics', 'statistics')) };
  const body = JSON.stringify({ query: '{ schools(first: 2) { nodes { teachers(first: 1) { nodes { name } } } } }' });
  const teacherNames = async (url: string) => {
    const result = await (await fetch(url, { method: 'POST', headers, body })).json();
    return (result.data?.schools?.nodes ?? []).flatMap((s: any) => s.teachers?.nodes ?? []).map((t: any) => t.name);
  };
  const waitFor = (check: () => Promise<boolean>) => until(check, 10_000, 100);
  expect(await teacherNames(hub.gatewayUrl)).toEqual([]);

  const filed = await hubCli(
    'grant',
    'request',
    '--consumer',
    'city-analytics',
    '--fields',
    'School.teachers,Teacher.*',
    '--purpose',
    'statistics',
    '--reason',
    'teacher workforce statistics',
    '--until',
    '2027-06-30',
  );
  const requestId = filed.stdout.match(/REQ-\d{4}-\d{4}/)![0];
  const approved = await hubCli('grant', 'approve', requestId, '--by', '王丽');
  const grantId = approved.stdout.match(/GRANT-\d{4}-\d{4}/)![0];
  for (const url of [hub.gatewayUrl, second.url])
    await waitFor(async () => (await teacherNames(url)).some((name: string | null) => typeof name === 'string'));

  await hubCli('grant', 'revoke', grantId, '--by', '王丽', '--reason', 'statistics published');
  for (const url of [hub.gatewayUrl, second.url])
    await waitFor(async () => (await teacherNames(url)).every((name: string | null) => name === null));
});
