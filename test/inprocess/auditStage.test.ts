import { readAuditTrail, type AuditRecord } from '@cdo-hub/gateway';
import { join } from 'node:path';
import { startInProcessHub, type InProcessHub } from './gatewayHarness';

// auditStage.ts: an answer that carries agency data is recorded before it goes out — keyed by
// the request id the client sees, naming the consumer, purpose, operation and the records read
// per agency; a request refused before it ran leaves no access record.

let hub: InProcessHub;

beforeAll(async () => {
  hub = await startInProcessHub();
});

afterAll(async () => {
  await hub?.stop();
});

async function trail(): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  for await (const record of readAuditTrail(join(hub.dataDir, 'audit'))) records.push(record);
  return records;
}

it('records an answer with data before it is sent, under the request id the client sees', async () => {
  const answer = await hub.query('query AuditedTotals { districts(first: 2) { nodes { code schoolCount } } }', {}, await hub.as('city-analytics', 'statistics'));
  expect(answer.status).toBe(200);
  // No waiting: the record is durable before the answer leaves.
  const record = (await trail()).find((entry) => entry.requestId === answer.headers['x-request-id']);
  expect(record).toMatchObject({ consumer: 'city-analytics', purpose: 'statistics', operationName: 'AuditedTotals', outcome: 'ok' });
  expect(Object.keys((record as { agencies: Record<string, unknown> }).agencies)).toContain('education');
});

it('records nothing for a request refused before it ran', async () => {
  const refused = await hub.query('{ districts(first: 1) { totalCount } }', {}, { authorization: 'Bearer not-a-token' });
  expect(refused.status).toBe(401);
  expect((await trail()).some((entry) => entry.requestId === refused.headers['x-request-id'])).toBe(false);
});
