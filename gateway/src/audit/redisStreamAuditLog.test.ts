import { Redis } from 'ioredis';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisTestServer } from '../testing';
import { archiveAuditStream } from './archiveAuditStream';
import { accessEntry, AUDIT_TEST_KEY } from './auditFixtures.test-helpers';
import { readOperations } from './jsonlAuditLog';
import { durableRedisProblems } from '../stores';
import { auditKeys, RedisStreamAuditLog } from './redisStreamAuditLog';
import { verifyAuditTrail } from './verifyAuditTrail';

const entry = (n: number) =>
  accessEntry(
    n,
    {
      consumer: 'city-analytics',
      purpose: 'statistics',
      operationHash: `op${n % 3}`,
      agencies: { education: { released: ['School.name'], masked: [], denied: [], entities: 2, grants: [] } },
    },
    Date.UTC(2026, 10, 27),
  );

describe('audit Redis settings', () => {
  it('accepts only settings that cannot drop records', () => {
    expect(
      durableRedisProblems({ 'maxmemory-policy': 'noeviction', appendonly: 'yes', appendfsync: 'always' }, false),
    ).toEqual([]);
    expect(
      durableRedisProblems({ 'maxmemory-policy': 'allkeys-lru', appendonly: 'yes', appendfsync: 'always' }, false),
    ).toEqual([expect.stringMatching(/may evict audit records/)]);
    expect(
      durableRedisProblems({ 'maxmemory-policy': 'noeviction', appendonly: 'no', appendfsync: 'always' }, false),
    ).toEqual([expect.stringMatching(/lost when Redis restarts/)]);
    expect(
      durableRedisProblems({ 'maxmemory-policy': 'noeviction', appendonly: 'yes', appendfsync: 'everysec' }, false),
    ).toEqual([expect.stringMatching(/AUDIT_REDIS_ALLOW_EVERYSEC/)]);
    expect(
      durableRedisProblems({ 'maxmemory-policy': 'noeviction', appendonly: 'yes', appendfsync: 'everysec' }, true),
    ).toEqual([]);
  });
});

describe('Redis Stream audit trail (real redis-server)', () => {
  let server: RedisTestServer;
  let admin: Redis;
  beforeAll(async () => {
    server = await RedisTestServer.start();
    admin = new Redis(server.url);
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  it('refuses a server that could evict or lose records', async () => {
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    await expect(
      RedisStreamAuditLog.open(server.url, { signingKey: AUDIT_TEST_KEY, instance: 'refused' }),
    ).rejects.toThrow(/may evict audit records/);
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await admin.config('SET', 'appendfsync', 'everysec');
    await expect(
      RedisStreamAuditLog.open(server.url, { signingKey: AUDIT_TEST_KEY, instance: 'refused' }),
    ).rejects.toThrow(/appendfsync is "everysec"/);
    const accepted = await RedisStreamAuditLog.open(server.url, {
      signingKey: AUDIT_TEST_KEY,
      instance: 'refused',
      allowEverysec: true,
    });
    await accepted.close();
    await admin.config('SET', 'appendfsync', 'always');
  });

  it('chains records across reopenings, one writer per stream, and archives them to files that verify', async () => {
    const log = await RedisStreamAuditLog.open(server.url, { signingKey: AUDIT_TEST_KEY, instance: 'gw1' });
    await expect(
      RedisStreamAuditLog.open(server.url, { signingKey: AUDIT_TEST_KEY, instance: 'gw1', leaseWaitMs: 200 }),
    ).rejects.toThrow(/another gateway writes/);
    const records = await Promise.all(
      Array.from({ length: 40 }, (_, i) => log.append(entry(i), { text: `{ q${i % 3} }`, name: null })),
    );
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    await log.setMeta('cursor', 'x');
    expect(await log.getMeta('cursor')).toBe('x');
    await log.close();
    expect(await admin.xlen(auditKeys('gw1').records)).toBe(40);

    const dir = mkdtempSync(join(tmpdir(), 'audit-archive-'));
    expect(
      await archiveAuditStream(server.url, { instance: 'gw1', dir, signingKey: AUDIT_TEST_KEY, batchSize: 15 }),
    ).toEqual({
      archived: 40,
      lastSeq: 40,
    });
    // Trimmed down to the last record, which lets the next writer carry the chain on.
    expect(await admin.xlen(auditKeys('gw1').records)).toBe(1);
    const reopened = await RedisStreamAuditLog.open(server.url, { signingKey: AUDIT_TEST_KEY, instance: 'gw1' });
    expect((await reopened.append(entry(41))).seq).toBe(41);
    await reopened.close();
    expect(await archiveAuditStream(server.url, { instance: 'gw1', dir, signingKey: AUDIT_TEST_KEY })).toEqual({
      archived: 1,
      lastSeq: 41,
    });
    expect(await archiveAuditStream(server.url, { instance: 'gw1', dir, signingKey: AUDIT_TEST_KEY })).toEqual({
      archived: 0,
      lastSeq: 41,
    });

    expect(verifyAuditTrail(dir, AUDIT_TEST_KEY)).toMatchObject({ ok: true, records: 41, lastSeq: 41 });
    expect(
      readOperations(dir)
        .map((op) => op.hash)
        .sort(),
    ).toEqual(['op0', 'op1', 'op2']);
    expect(readFileSync(join(dir, 'checkpoints.jsonl'), 'utf8')).toContain('"seq":41');
  });

  it('rejects appends while Redis is unreachable, leaving no gap in the chain', async () => {
    const own = await RedisTestServer.start();
    const log = await RedisStreamAuditLog.open(own.url, { signingKey: AUDIT_TEST_KEY, instance: 'down' });
    await log.append(entry(1));
    await own.stop();
    await expect(log.append(entry(2))).rejects.toThrow();
    expect(log.lastSeq).toBe(1);
    await log.close().catch(() => undefined);
  });
});
