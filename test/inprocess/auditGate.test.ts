import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInProcessHub, type InProcessHub } from './gatewayHarness';

// auditGate.ts: the answer is finished (serialised, its receipt signed) while its audit record is
// written, and held back until the record is durable. A record the disk refuses turns the answer
// into AUDIT_UNAVAILABLE with nothing of what it carried, whatever its form (a batch, a CSV table);
// served anyway under AUDIT_FAIL_CLOSED=false, it goes without a receipt.

/** An audit folder on a full disk: /dev/full answers every write with ENOSPC. */
function fullDisk(): string {
  const dir = mkdtempSync(join(tmpdir(), 'audit-gate-'));
  symlinkSync('/dev/full', join(dir, 'audit-000000000001.jsonl'));
  return dir;
}

const fullDisks = [fullDisk(), fullDisk()];
let closed: InProcessHub;
let open: InProcessHub;

beforeAll(async () => {
  [closed, open] = await Promise.all([
    startInProcessHub({ env: { AUDIT_DIR: fullDisks[0]! } }),
    startInProcessHub({ env: { AUDIT_DIR: fullDisks[1]!, AUDIT_FAIL_CLOSED: 'false' } }),
  ]);
});

afterAll(async () => {
  await Promise.all([closed?.stop(), open?.stop()]);
  for (const dir of fullDisks) rmSync(dir, { recursive: true, force: true });
});

const refusal = {
  errors: [
    {
      message: 'The audit trail could not record this request; its data is not served.',
      extensions: { code: 'AUDIT_UNAVAILABLE' },
    },
  ],
};

it('refuses a batch whose records were not written, receipt and all', async () => {
  const response = await closed.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...(await closed.as('city-analytics', 'statistics')) },
    payload: [
      { query: '{ schools(first: 2) { nodes { code name } } }' },
      { query: '{ districts(first: 2) { nodes { code } } }' },
    ],
  });
  expect(response.statusCode).toBe(503);
  expect(response.json()).toEqual(refusal);
  expect(response.headers['cache-control']).toBe('no-store');
  expect(response.headers['x-hub-receipt']).toBeUndefined();
  expect(response.headers['x-request-id']).toBeDefined();
  expect(closed.logs.some((line) => line.msg === 'audit record not durable in time')).toBe(true);
});

it('refuses a CSV answer with the JSON refusal, not a table', async () => {
  const response = await closed.inject({
    method: 'POST',
    url: '/graphql',
    headers: {
      'content-type': 'application/json',
      accept: 'text/csv',
      ...(await closed.as('city-analytics', 'statistics')),
    },
    payload: JSON.stringify({ query: '{ schools(first: 3) { nodes { code name } } }' }),
  });
  expect(response.statusCode).toBe(503);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.json()).toEqual(refusal);
  expect(response.headers['x-hub-receipt']).toBeUndefined();
});

it('serves the answer without a receipt when told to fail open', async () => {
  const answer = await open.query(
    '{ schools(first: 2) { nodes { code } } }',
    {},
    await open.as('city-analytics', 'statistics'),
  );
  expect(answer.status).toBe(200);
  expect(answer.body.data?.schools.nodes).toHaveLength(2);
  expect(answer.headers['x-hub-receipt']).toBeUndefined();
});
