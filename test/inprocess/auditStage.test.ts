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
  const answer = await hub.query(
    'query AuditedTotals { districts(first: 2) { nodes { code schoolCount } } }',
    {},
    await hub.as('city-analytics', 'statistics'),
  );
  expect(answer.status).toBe(200);
  // No waiting: the record is durable before the answer leaves.
  const record = (await trail()).find((entry) => entry.requestId === answer.headers['x-request-id']);
  expect(record).toMatchObject({
    consumer: 'city-analytics',
    purpose: 'statistics',
    operationName: 'AuditedTotals',
    outcome: 'ok',
  });
  expect(Object.keys((record as { agencies: Record<string, unknown> }).agencies)).toContain('education');
});

it('records nothing for a request refused before it ran', async () => {
  const refused = await hub.query(
    '{ districts(first: 1) { totalCount } }',
    {},
    { authorization: 'Bearer not-a-token' },
  );
  expect(refused.status).toBe(401);
  expect((await trail()).some((entry) => entry.requestId === refused.headers['x-request-id'])).toBe(false);
});

it('records each operation of a batch under its own view', async () => {
  const response = await hub.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...(await hub.as('city-analytics', 'statistics')) },
    payload: [
      { query: 'query Schools { schools(first: 2) { nodes { code name } } }' },
      { query: 'query Enterprises { districts(first: 2) { nodes { code highTechEnterpriseCount } } }' },
    ],
  });
  expect(response.statusCode).toBe(200);
  const records = (await trail()).filter((entry) => entry.requestId === response.headers['x-request-id']) as {
    operationName: string;
    agencies: Record<string, { released: string[] }>;
  }[];
  const released = (name: string) =>
    Object.values(records.find((record) => record.operationName === name)!.agencies).flatMap(
      (agency) => agency.released,
    );
  expect(records.map((record) => record.operationName).sort()).toEqual(['Enterprises', 'Schools']);
  expect(released('Schools')).toContain('School.name');
  expect(released('Schools')).not.toContain('District.highTechEnterpriseCount');
  expect(released('Enterprises')).toContain('District.highTechEnterpriseCount');
  expect(released('Enterprises')).not.toContain('School.name');
});
