import { readAuditTrail } from '@cdo-hub/gateway';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import type { AgencyProcess } from '../harness/agencyProcess';
import type { GatewayProcess } from '../harness/gatewayProcess';
import { SplitHub } from '../harness/splitHub';
import { as } from '../harness/hubProcess';
import { until } from '../harness/until';

// SIGTERM under load: requests in flight when the signal arrives are answered in full, nothing
// the gateway processed goes unanswered (every audit record's request id reached its client),
// requests arriving during the drain are refused with a code (or find the port closed), and the
// process exits 0 with its audit trail flushed.

const QUERY = `query DistrictOverview {
  districts(first: 3) { nodes { code name schoolCount highTechEnterpriseCount } }
}`;
const CLIENTS = 6;

interface Outcome {
  startedAt: number;
  endedAt: number;
  status?: number;
  requestId?: string | null;
  code?: string;
  complete?: boolean;
  error?: string;
}

let hub: SplitHub;
let subgraphs: Record<string, AgencyProcess>;
let gateway: GatewayProcess;

beforeAll(async () => {
  hub = await SplitHub.start({
    CACHE: 'off',
    SHUTDOWN_DELAY_MS: '300',
    LOG_LEVEL: 'info', // the drain's own lines are read below
  });
  ({ subgraphs, gateway } = hub);
}, 120_000);

afterAll(async () => {
  await hub?.stop();
});

it('drains on SIGTERM under load: no request cut, no audit record without its answer, exit 0', async () => {
  const headers = { 'content-type': 'application/json', ...(await as('city-analytics', 'statistics')) };
  const outcomes: Outcome[] = [];
  const open = new Set<Outcome>();
  let running = true;
  const clients = Array.from({ length: CLIENTS }, async () => {
    while (running) {
      const outcome: Outcome = { startedAt: performance.now(), endedAt: 0 };
      open.add(outcome);
      try {
        const response = await fetch(gateway.url, { method: 'POST', headers, body: JSON.stringify({ query: QUERY }) });
        outcome.status = response.status;
        outcome.requestId = response.headers.get('x-request-id');
        const body = (await response.json()) as {
          data?: { districts?: { nodes: unknown[] } };
          errors?: { extensions?: { code?: string } }[];
        };
        outcome.code = body.errors?.[0]?.extensions?.code;
        outcome.complete = response.status === 200 && body.data?.districts?.nodes.length === 3 && !body.errors;
      } catch (error) {
        outcome.error = String((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message);
        await new Promise((resolve) => setTimeout(resolve, 20)); // pacing after a refused connection, not a wait for anything
      }
      open.delete(outcome);
      outcome.endedAt = performance.now();
      outcomes.push(outcome);
    }
  });

  await until(async () => outcomes.filter((o) => o.complete).length >= 30, 20_000);
  // Hold requests in flight: science stops answering, so each request waits on it.
  subgraphs.science!.signal('SIGSTOP');
  // One more client asks once on a kept-alive connection and then stays silent with it open: its
  // connection must not hold the drain for the keep-alive timeout (72 s, past SHUTDOWN_TIMEOUT_MS).
  const quietAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  const quiet = new Promise<{ status?: number; connection?: string; requestId?: string; body: string }>(
    (resolve, reject) => {
      const call = request(gateway.url, { method: 'POST', agent: quietAgent, headers }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () =>
          resolve({
            status: response.statusCode,
            connection: response.headers.connection,
            requestId: response.headers['x-request-id'] as string,
            body,
          }),
        );
      });
      call.on('error', reject);
      call.end(JSON.stringify({ query: QUERY }));
    },
  );
  await until(
    () => open.size === CLIENTS && [...open].every((o) => performance.now() - o.startedAt > 200),
    20_000,
    20,
    { what: 'every client to have a request held open' },
  );
  const signalledAt = performance.now();
  const exited = new Promise<number | null>((resolve) => gateway.child.once('exit', (code) => resolve(code)));
  gateway.child.kill('SIGTERM');
  // Science stays frozen until the gateway is past its drain delay and closing: new requests are
  // refused (or find the port closed) while the held ones are still open.
  const health = new URL('/healthz', gateway.url);
  await until(
    async () =>
      (await fetch(health).then(
        (r) => r.status,
        () => 'refused',
      )) !== 200,
    20_000,
    50,
    { what: 'the gateway to close its doors' },
  );
  subgraphs.science!.signal('SIGCONT');
  const code = await exited;
  const drainMs = performance.now() - signalledAt;
  running = false;
  await Promise.all(clients);
  const quietAnswer = await quiet;
  quietAgent.destroy();

  expect(code).toBe(0);
  // The held answer was the quiet connection's last, and the drain did not wait for the client to hang up.
  expect(quietAnswer.status).toBe(200);
  expect(quietAnswer.connection).toBe('close');
  expect(drainMs).toBeLessThan(15_000);
  // Every request that had started before the signal and was still open then got its full answer.
  const inFlight = outcomes.filter((o) => o.startedAt < signalledAt && o.endedAt > signalledAt);
  expect(inFlight.length).toBeGreaterThanOrEqual(CLIENTS - 1);
  expect(inFlight.filter((o) => !o.complete)).toEqual([]);
  // Anything else was refused cleanly: SHUTTING_DOWN, or no connection to be had.
  const unanswered = outcomes.filter((o) => !o.complete);
  for (const o of unanswered) {
    expect(o.startedAt).toBeGreaterThan(signalledAt);
    expect(o.status === 503 ? o.code : o.error).toMatch(
      /^(SHUTTING_DOWN|ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET|other side closed)$/,
    );
  }
  // Nothing the gateway processed was lost: each audit record's request reached its client.
  const answered = new Set([...outcomes.filter((o) => o.complete).map((o) => o.requestId), quietAnswer.requestId]);
  const records: string[] = [];
  for await (const record of readAuditTrail(join(hub.dataDir, 'audit'))) records.push(record.requestId);
  expect(records.length).toBe(answered.size);
  expect(records.filter((id) => !answered.has(id))).toEqual([]);
  expect(gateway.log).toContain('stopped: every request answered, audit trail flushed');
}, 120_000);
