import { AGENCIES } from '@cdo-hub/subgraph-kit';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditRequestIds, startAuditedLoad } from '../harness/auditedLoad';
import { freePort } from '../harness/freePort';
import { GatewayProcess } from '../harness/gatewayProcess';
import { as, HubProcess } from '../harness/hubProcess';
import { hubCliOk } from '../harness/hubCli';
import { until } from '../harness/until';

// `kill -9` of a gateway under load: every request that got a response has its audit record,
// and the trail still verifies and grows after a restart.

let hub: HubProcess;
let auditDir: string;
let dataDir: string;

beforeAll(async () => {
  auditDir = mkdtempSync(join(tmpdir(), 'audit-crash-'));
  dataDir = mkdtempSync(join(tmpdir(), 'audit-crash-data-'));
  hub = await HubProcess.start();
});

afterAll(async () => {
  await hub?.stop();
  rmSync(auditDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

async function gateway(env: NodeJS.ProcessEnv = {}): Promise<GatewayProcess> {
  const urls = Object.fromEntries(
    AGENCIES.map((agency) => [`${agency.envPrefix}_URL`, `http://127.0.0.1:${hub.ports[agency.id]}/graphql`]),
  );
  // One data folder for every gateway of this file: a restarted gateway finds the audit witness
  // its predecessor wrote for the same trail.
  const started = await GatewayProcess.start([], await freePort(), {
    HUB_DATA_DIR: dataDir,
    AUDIT_DIR: auditDir,
    ...urls,
    ...env,
  });
  gateways.push(started);
  return started;
}
const gateways: GatewayProcess[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.stop()));
});

it('loses no acknowledged record when the gateway is killed with SIGKILL under load', async () => {
  const gw = await gateway();
  // Twelve clients; each stops at its first cut request (the one gateway is gone).
  const load = await startAuditedLoad(gw.url, { clients: 12, afterCut: 'stop' });
  const { answered, headers } = load;
  // Killed mid-load, once well over the fifty answers checked below have been acknowledged.
  await until(() => answered.length >= 100, 60_000, 20, { what: 'a hundred answered requests' });
  gw.child.kill('SIGKILL');
  await load.stop();

  const trail = new Set(auditRequestIds(auditDir));
  const lost = answered.filter((id) => !trail.has(id));
  console.log(
    `kill -9 under load: ${answered.length} responses, ${trail.size} records, ${lost.length} acknowledged records lost, ${load.cut} requests cut`,
  );
  expect(answered.length).toBeGreaterThan(50);
  expect(lost).toEqual([]);

  // The next gateway cuts the torn tail, carries the chain on, and the trail verifies.
  const next = await gateway();
  const after = await fetch(next.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers[0] },
    body: JSON.stringify({ query: '{ districts(first: 1) { totalCount } }' }),
  });
  expect(after.status).toBe(200);
  await next.stop();
  const { stdout } = await hubCliOk(['audit', 'verify', '--dir', auditDir], { HUB_DATA_DIR: dataDir });
  expect(stdout).toMatch(/audit trail OK/);
}, 120_000);

it('fails closed for agency data when the audit disk is full, or serves and logs when configured to', async () => {
  const fullDir = mkdtempSync(join(tmpdir(), 'audit-full-'));
  symlinkSync('/dev/full', join(fullDir, 'audit-000000000001.jsonl')); // every write: ENOSPC
  const headers = { 'content-type': 'application/json', ...(await as('science', 'industrial-policy')) };
  const body = JSON.stringify({ query: '{ districts(first: 1) { nodes { name } } }' });
  try {
    const closed = await gateway({ AUDIT_DIR: fullDir });
    const refused = await fetch(closed.url, { method: 'POST', headers, body });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('cache-control')).toBe('no-store'); // the refusal replaced a storable answer
    // The receipt was signed while the write was under way; it names a record that never was, so it stays behind.
    expect(refused.headers.get('x-hub-receipt')).toBeNull();
    expect(await refused.json()).toEqual({
      errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'AUDIT_UNAVAILABLE' }) })],
    });
    expect((await fetch(closed.url.replace('/graphql', '/healthz'))).status).toBe(200);
    await closed.stop();

    const open = await gateway({ AUDIT_DIR: fullDir, AUDIT_FAIL_CLOSED: 'false' });
    const served = await fetch(open.url, { method: 'POST', headers, body });
    expect(served.status).toBe(200);
    expect(served.headers.get('x-hub-receipt')).toBeNull(); // a receipt names only a durable record
    expect((await served.json()).data.districts.nodes).toHaveLength(1);
    await open.stop();
    expect(open.log).toMatch(/audit record not durable/);
  } finally {
    rmSync(fullDir, { recursive: true, force: true });
  }
}, 120_000);
