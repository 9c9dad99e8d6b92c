import { readAuditTrail } from '@cdo-hub/gateway/audit';
import { verifyReceipt } from '@cdo-hub/gateway/receipts';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { auditRequestIds, startAuditedLoad } from '../harness/auditedLoad';
import { hubCli, hubCliOk, spawnHubCli } from '../harness/hubCli';
import { as } from '../harness/hubProcess';
import { until } from '../harness/until';
import { onFreshConnection, WorkersHub } from '../harness/workersHub';

// The audit trail of a gateway of two workers: one hash chain per worker (AUDIT_DIR/worker-N),
// each with the one-process guarantee — a response never leaves before its record is durable,
// `kill -9` of a worker included — and `hub audit verify`, `report` and `tail` read every chain.

let hub: WorkersHub;
let auditDir: string;

beforeAll(async () => {
  hub = await WorkersHub.start(2, { LOG_LEVEL: 'warn' });
  auditDir = join(hub.dataDir, 'audit');
}, 180_000);

afterAll(async () => {
  await hub?.stop();
});

it('loses no acknowledged record when a worker is killed with SIGKILL under load; the restarted worker carries its chain on', async () => {
  // Twelve clients on twelve connections: the cluster spreads them over both workers.
  const load = await startAuditedLoad(hub.url, { clients: 12, afterCut: 'retry' });
  const { answered, headers } = load;
  const chainLength = (slot: number) => auditRequestIds(join(auditDir, `worker-${slot}`)).length;
  try {
    await until(() => answered.length >= 100, 60_000, 20, { what: 'a hundred answered requests' });
    const [victim] = hub.workerPids();
    process.kill(victim!, 'SIGKILL');
    const atKill = answered.length;
    await until(() => answered.length >= atKill + 50, 30_000, 20, { what: 'answers after the kill' });
    await until(() => (hub.gateway.log.match(/worker exited unexpectedly/g) ?? []).length === 1, 10_000);
  } finally {
    await load.stop();
  }
  // The restarted worker carries its chain on: new connections reach it once it listens.
  const atRestart = [chainLength(1), chainLength(2)];
  const consumer = headers[0]!;
  await until(
    async () => {
      // While the worker restarts a connection may be refused or reset: try again.
      const answer = await onFreshConnection(hub.url, {
        headers: consumer,
        body: { query: '{ schools(first: 1) { nodes { name } } }' },
      }).catch(() => undefined);
      if (answer?.status === 200) answered.push(String(answer.headers['x-request-id']));
      return chainLength(1) > atRestart[0]! && chainLength(2) > atRestart[1]!;
    },
    60_000,
    50,
    { what: 'both workers answering after the restart' },
  );

  const chains = [1, 2].map((slot) => auditRequestIds(join(auditDir, `worker-${slot}`)));
  expect(chains.every((ids) => ids.length > 20)).toBe(true);
  // Nothing in AUDIT_DIR itself: every record went to a worker's chain.
  expect(auditRequestIds(auditDir)).toEqual([]);
  const trail = new Set(chains.flat());
  const lost = answered.filter((id) => !trail.has(id));
  console.log(
    `kill -9 of one of two workers under load: ${answered.length} responses, ${trail.size} records (${chains.map((c) => c.length).join(' + ')}), ${lost.length} acknowledged records lost, ${load.cut} requests cut`,
  );
  expect(lost).toEqual([]);
  // No record in two chains.
  expect(trail.size).toBe(chains[0]!.length + chains[1]!.length);
}, 240_000);

it('signs receipts in every worker with the one key file, each naming a record of its own chain', async () => {
  const keys = (await (await fetch(new URL('/.well-known/hub-receipt-keys.json', hub.url))).json()) as {
    keys: { kid: string }[];
  };
  expect(keys.keys).toHaveLength(1);
  const headers = await as('district-haidian', 'enrollment-planning');
  const seen = new Map<string, { receipt: string; body: Buffer }>();
  await until(
    async () => {
      // A connection of its own each time: the cluster hands new connections to the workers in turn.
      const answer = await rawAnswer(hub.url, headers, '{ schools(first: 1) { nodes { name } } }');
      const receipt = String(answer.headers['x-hub-receipt']);
      const claims = JSON.parse(Buffer.from(receipt.split('.')[1]!, 'base64url').toString('utf8')) as {
        audit: { instance: string }[];
      };
      seen.set(claims.audit[0]!.instance, { receipt, body: answer.body });
      return seen.size === 2;
    },
    30_000,
    20,
    { what: 'receipts from both workers' },
  );
  expect([...seen.keys()].sort()).toEqual(['gateway-worker-1', 'gateway-worker-2']);
  for (const { receipt, body } of seen.values()) {
    const verdict = await verifyReceipt({ receipt, keys: keys as never, body });
    expect(verdict).toMatchObject({ valid: true, kid: keys.keys[0]!.kid });
    const named = verdict.claims!.audit[0]!;
    const slot = named.instance.slice('gateway-worker-'.length);
    let hash: string | undefined;
    for await (const record of readAuditTrail(join(auditDir, `worker-${slot}`)))
      if (record.seq === named.seq) hash = record.hash;
    expect(hash).toBe(named.hash);
  }
});

it('hub audit verify checks every chain against the witness; report and tail read them all', async () => {
  // Drained, each worker writes its chain's last checkpoint to the witness.
  const code = await hub.gateway.stop();
  if (code !== 0) console.log(hub.gateway.log.slice(-6000));
  expect(code).toBe(0);
  const env = { HUB_DATA_DIR: hub.dataDir };
  const verified = await hubCliOk(['audit', 'verify', '--dir', auditDir], env);
  const ok = verified.stdout.split('\n').filter((line) => line.startsWith('audit trail OK'));
  expect(ok).toHaveLength(2);
  expect(ok[0]).toContain(join(auditDir, 'worker-1'));
  expect(ok[1]).toContain(join(auditDir, 'worker-2'));
  expect(ok.every((line) => /witnessed up to record [1-9]/.test(line))).toBe(true);

  const chains = [1, 2].map((slot) => auditRequestIds(join(auditDir, `worker-${slot}`)));
  const report = JSON.parse(
    (await hubCliOk(['audit', 'report', '--agency', 'education', '--format', 'json', '--dir', auditDir], env)).stdout,
  ) as { requests: number };
  // Every request of the load read education's schools: the report counts both workers' records.
  expect(report.requests).toBe(chains[0]!.length + chains[1]!.length);

  const tail = spawnHubCli(['audit', 'tail', '--json', '--backlog', '5', '--dir', auditDir], env);
  let printed = '';
  tail.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  try {
    const lastOf = chains.map((ids) => ids[ids.length - 1]!);
    await until(() => lastOf.every((id) => printed.includes(id)), 20_000, 50, {
      what: "the last record of each worker's chain in the tail",
    });
  } finally {
    tail.kill('SIGTERM');
  }
}, 120_000);

it('breaks verify when a record of one worker’s chain is edited', async () => {
  const file = join(auditDir, 'worker-2', 'audit-000000000001.jsonl');
  const lines = readFileSync(file, 'utf8').split('\n');
  lines[3] = lines[3]!.replace(/"consumer":"[^"]+"/, '"consumer":"someone-else"');
  writeFileSync(file, lines.join('\n'));
  const result = await hubCli(['audit', 'verify', '--dir', auditDir], { HUB_DATA_DIR: hub.dataDir });
  expect(result.code).toBe(1);
  expect(result.stdout).toMatch(/audit trail OK: .* in .*worker-1/);
  expect(result.stdout).toMatch(/audit trail BROKEN: .* in .*worker-2/);
}, 60_000);

it('reports a worker’s whole chain removed: the witness still names the trail opened there', async () => {
  rmSync(join(auditDir, 'worker-2'), { recursive: true, force: true });
  const result = await hubCli(['audit', 'verify', '--dir', auditDir], { HUB_DATA_DIR: hub.dataDir });
  expect(result.code).toBe(1);
  expect(result.stdout).toMatch(/audit trail OK: .* in .*worker-1/);
  expect(result.stdout).toMatch(/audit trail MISSING: .*worker-2: the witness holds trail [0-9a-f-]{36} opened there/);
}, 60_000);

/** A POST on a connection of its own, its body kept as bytes. */
function rawAnswer(
  url: string,
  headers: Record<string, string>,
  query: string,
): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const call = httpRequest(
      url,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
        response.on('error', reject);
      },
    );
    call.on('error', reject);
    call.end(JSON.stringify({ query }));
  });
}
