import { readAuditTrail, type AuditRecord } from '@cdo-hub/gateway/audit';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { hubCli } from '../harness/hubCli';
import { as, HubProcess } from '../harness/hubProcess';
import { until } from '../harness/until';

// Signed receipts on a running hub: every answer written under an audit record carries
// `x-hub-receipt`, a JWS over the digests of the request as received and the body as sent, naming
// the record — which is in the trail, durable, before the answer left. `hub receipt verify` says
// whether a receipt matches a body, against the keys the gateway publishes; a paged CSV export gets
// its receipt as a trailer naming every page's record; a rotated key signs within seconds and the
// old receipts still verify.

let hub: HubProcess;

beforeAll(async () => {
  // Small pages and export limit: a CSV export streams several pages, each its own request and record.
  hub = await HubProcess.start({ env: { LIMIT_LIST_SIZE: '8', EXPORT_MAX_ROWS: '20' } });
}, 120_000);

afterAll(async () => {
  await hub?.stop();
});

const origin = () => new URL(hub.gatewayUrl).origin;
const keysUrl = () => `${origin()}/.well-known/hub-receipt-keys.json`;
const cli = (...args: string[]) => hubCli(args, { HUB_DATA_DIR: hub.dataDir });
const sha256 = (bytes: string | Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const claimsOf = (receipt: string) =>
  JSON.parse(Buffer.from(receipt.split('.')[1]!, 'base64url').toString('utf8')) as {
    requestId: string;
    consumer: string;
    purpose: string | null;
    grants: string[];
    request: string;
    response: string;
    audit: { instance: string; seq: number; hash: string }[];
  };
const kidOf = (receipt: string) =>
  (JSON.parse(Buffer.from(receipt.split('.')[0]!, 'base64url').toString('utf8')) as { kid: string }).kid;

const STUDENTS =
  '{ schools(districtCode: "110108", first: 1) { nodes { name students(first: 2) { nodes { name grade } } } } }';

/** A POST as district-haidian, its body kept as bytes. */
async function post(body: string, extra: Record<string, string> = {}) {
  const response = await fetch(hub.gatewayUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(await as('district-haidian', 'enrollment-planning')),
      ...extra,
    },
    body,
  });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

async function trailRecords(): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  for await (const record of readAuditTrail(join(hub.dataDir, 'audit'))) records.push(record);
  return records;
}

/** Each record a receipt names is in the trail, with that hash, for that request. */
async function expectInTrail(audit: { seq: number; hash: string }[], requestIds: string[]): Promise<void> {
  const bySeq = new Map((await trailRecords()).map((record) => [record.seq, record]));
  for (const named of audit) {
    const record = bySeq.get(named.seq);
    expect(record?.hash).toBe(named.hash);
    expect(requestIds).toContain(record?.requestId);
  }
}

it('signs a JSON answer: the digests of request and body, the asker, the grant, the durable record', async () => {
  const request = JSON.stringify({ query: STUDENTS });
  const answer = await post(request);
  expect(answer.status).toBe(200);
  const receipt = answer.headers.get('x-hub-receipt')!;
  expect(receipt).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  const claims = claimsOf(receipt);
  expect(claims).toMatchObject({
    requestId: answer.headers.get('x-request-id'),
    consumer: 'district-haidian',
    purpose: 'enrollment-planning',
    grants: ['EDU-2026-001'],
    request: sha256(request),
    response: sha256(answer.body),
  });
  expect(claims.audit).toHaveLength(1);
  await expectInTrail(claims.audit, [claims.requestId]);

  // `hub receipt verify` against the published keys: 0 for the body as received, 1 for any other.
  const dir = hub.dataDir;
  writeFileSync(join(dir, 'answer.json'), answer.body);
  writeFileSync(join(dir, 'request.json'), request);
  writeFileSync(join(dir, 'receipt.jws'), receipt);
  const verified = await cli(
    'receipt',
    'verify',
    '--receipt',
    receipt,
    '--body',
    join(dir, 'answer.json'),
    '--request',
    join(dir, 'request.json'),
    '--keys',
    keysUrl(),
  );
  expect(verified).toMatchObject({ code: 0, stderr: '' });
  expect(verified.stdout).toMatch(
    new RegExp(
      `^valid: request ${claims.requestId} by district-haidian for enrollment-planning at .*, audit record gateway#${claims.audit[0]!.seq}, key receipt-`,
    ),
  );
  // The receipt from a file, the keys from the gateway's configuration (its JWKS), the same answer.
  expect(
    await cli('receipt', 'verify', '--receipt', join(dir, 'receipt.jws'), '--body', join(dir, 'answer.json')),
  ).toMatchObject({ code: 0 });
  // --trail: the records it names are in this hub's trail, with their hashes; not in another's.
  const inTrail = await cli('receipt', 'verify', '--receipt', receipt, '--body', join(dir, 'answer.json'), '--trail');
  expect(inTrail).toMatchObject({ code: 0 });
  expect(inTrail.stdout).toMatch(/^valid and in the trail: /);
  const elsewhere = await hubCli(
    ['receipt', 'verify', '--receipt', receipt, '--body', join(dir, 'answer.json'), '--keys', keysUrl(), '--trail'],
    { HUB_DATA_DIR: join(dir, 'another-hub') },
  );
  expect(elsewhere.code).toBe(1);
  expect(elsewhere.stdout).toMatch(/^INVALID: record gateway#\d+ is not in the trail at /);
  writeFileSync(join(dir, 'changed.json'), answer.body.toString('utf8').replace('"grade"', '"grade" '));
  const changed = await cli('receipt', 'verify', '--receipt', receipt, '--body', join(dir, 'changed.json'));
  expect(changed.code).toBe(1);
  expect(changed.stdout).toMatch(/^INVALID: the body's digest sha256:[0-9a-f]{64} is not the receipt's/);
  const forged = await cli('receipt', 'verify', '--receipt', 'eyJ.eyJ.AAAA', '--body', join(dir, 'answer.json'));
  expect(forged.code).toBe(1);
  expect(forged.stdout).toMatch(/^INVALID: the signature does not verify/);
});

it('signs a GET over its query string, a cache hit under its own record, a batch over each operation', async () => {
  const query = '{ districts(first: 2) { nodes { code name } } }';
  const url = new URL(hub.gatewayUrl);
  url.searchParams.set('query', query);
  const headers = { ...(await as('district-haidian', 'enrollment-planning')), 'apollo-require-preflight': 'true' };
  const first = await fetch(url, { headers });
  const second = await fetch(url, { headers });
  const [one, two] = [first, second].map((response) => claimsOf(response.headers.get('x-hub-receipt')!));
  expect(one!.request).toBe(sha256(url.search.slice(1)));
  expect(one!.response).toBe(sha256(Buffer.from(await first.arrayBuffer())));
  expect(two!.response).toBe(sha256(Buffer.from(await second.arrayBuffer())));
  expect([first.headers.get('x-cache'), second.headers.get('x-cache')]).toEqual(['MISS', 'HIT']);
  expect(two!.audit[0]!.seq).toBeGreaterThan(one!.audit[0]!.seq);

  const batch = await post(JSON.stringify([{ query }, { query: STUDENTS }]));
  const claims = claimsOf(batch.headers.get('x-hub-receipt')!);
  expect(claims.audit).toHaveLength(2);
  expect(claims.response).toBe(sha256(batch.body));
  await expectInTrail(claims.audit, [claims.requestId]);
});

it('gives no receipt where no audit record was written', async () => {
  const refused = await fetch(hub.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-token' },
    body: JSON.stringify({ query: STUDENTS }),
  });
  expect(refused.status).toBe(401);
  expect(refused.headers.has('x-hub-receipt')).toBe(false);
  const invalid = await post('{"query":"{ schools { nope } }"}');
  expect(invalid.headers.has('x-hub-receipt')).toBe(false);
  expect((await fetch(`${origin()}/healthz`)).headers.has('x-hub-receipt')).toBe(false);
});

/** An answer asked as CSV, read with node:http, which gives trailers (fetch does not). */
const csv = async (query: string, asker?: Record<string, string>) => {
  const headers = asker ?? (await as('district-haidian', 'enrollment-planning'));
  return new Promise<{ body: Buffer; headers: NodeJS.Dict<string | string[]>; trailers: NodeJS.Dict<string> }>(
    (resolve, reject) => {
      const request = httpRequest(
        hub.gatewayUrl,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/csv', te: 'trailers', ...headers },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ body: Buffer.concat(chunks), headers: response.headers, trailers: response.trailers }),
          );
        },
      );
      request.on('error', reject);
      request.end(JSON.stringify({ query }));
    },
  );
};

it("signs a paged CSV export in a trailer over the whole file, naming every page's record", async () => {
  const exported = await csv('{ schools(first: 8) { nodes { code name } } }');
  expect(exported.trailers['x-hub-export']).toBe('truncated; rows=20');
  expect(exported.headers['x-hub-receipt']).toBeUndefined();
  const receipt = exported.trailers['x-hub-receipt']!;
  const claims = claimsOf(receipt);
  expect(claims.response).toBe(sha256(exported.body));
  // Three pages of at most 8 rows for 20 rows: three records, the export's own and its pages'.
  expect(claims.audit).toHaveLength(3);
  const records = await trailRecords();
  const pageIds = claims.audit.map((named) => records.find((record) => record.seq === named.seq)!.requestId);
  expect(pageIds[0]).toBe(claims.requestId);
  await expectInTrail(claims.audit, pageIds);
  writeFileSync(join(hub.dataDir, 'export.csv'), exported.body);
  expect(await cli('receipt', 'verify', '--receipt', receipt, '--body', join(hub.dataDir, 'export.csv'))).toMatchObject(
    { code: 0 },
  );

  // An export the gateway does not page (the public's: no consumer to page as): the receipt is a header, as for JSON.
  const small = await csv('{ districts(first: 2) { nodes { code name } } }', {});
  expect(small.trailers['x-hub-receipt']).toBeUndefined();
  const smallClaims = claimsOf(String(small.headers['x-hub-receipt']));
  expect(smallClaims).toMatchObject({ consumer: 'public', response: sha256(small.body) });
});

it('signs with a rotated key within seconds, and old receipts still verify', async () => {
  const before = (await post(JSON.stringify({ query: STUDENTS }))).headers.get('x-hub-receipt')!;
  // Published at once, signing at once (a real rotation waits --activate-after, 120 s by default).
  const rotated = await cli('receipt', 'rotate-key', '--activate-after', '0');
  expect(rotated).toMatchObject({ code: 0, stderr: '' });
  const kid = rotated.stdout.split(' ')[0]!;
  expect(kid).toMatch(/^receipt-\d{4}-\d{2}-\d{2}-[0-9a-f]{8}$/);
  let after = '';
  await until(
    async () => {
      after = (await post(JSON.stringify({ query: STUDENTS }))).headers.get('x-hub-receipt')!;
      return kidOf(after) === kid;
    },
    10_000,
    200,
    { what: 'a receipt signed with the rotated key' },
  );
  const published = (await (await fetch(keysUrl())).json()) as { keys: { kid: string; d?: string }[] };
  expect(published.keys.map((key) => key.kid)).toEqual([kidOf(before), kid]);
  expect(published.keys.every((key) => key.d === undefined)).toBe(true);
  const printed = await cli('receipt', 'keys');
  expect(JSON.parse(printed.stdout)).toEqual(published);
  expect(kidOf(after)).not.toBe(kidOf(before));
});
