import { mkdtempSync, readFileSync, readdirSync, writeFileSync, appendFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessEntry, AUDIT_TEST_KEY } from './auditFixtures.test-helpers';
import { JsonlAuditLog, readOperations } from './jsonlAuditLog';
import { verifyAuditTrail } from './verifyAuditTrail';

const entry = (n: number) =>
  accessEntry(
    n,
    {
      grants: ['EDU-2026-001'],
      agencies: {
        education: {
          released: ['School.name'],
          masked: ['Student.name'],
          denied: ['Student.idNumber'],
          entities: 3,
          grants: ['EDU-2026-001'],
        },
      },
      outcome: 'partial',
    },
    Date.UTC(2026, 10, 27),
  );

async function trail(
  records: number,
  options: { checkpointEvery?: number; maxFileBytes?: number } = {},
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'audit-'));
  const log = await JsonlAuditLog.open(dir, { signingKey: AUDIT_TEST_KEY, ...options });
  await Promise.all(Array.from({ length: records }, (_, i) => log.append(entry(i))));
  await log.close();
  return dir;
}

const auditFile = (dir: string) =>
  join(
    dir,
    readdirSync(dir).find((f) => f.startsWith('audit-'))!,
  );

describe('JSONL audit trail', () => {
  it('writes a verifiable hash chain, across rotated files and reopenings', async () => {
    const dir = await trail(40, { maxFileBytes: 4000, checkpointEvery: 10 });
    expect(readdirSync(dir).filter((f) => f.startsWith('audit-')).length).toBeGreaterThan(1);
    const reopened = await JsonlAuditLog.open(dir, { signingKey: AUDIT_TEST_KEY });
    const record = await reopened.append(entry(99));
    await reopened.close();
    expect(record.seq).toBe(41);
    expect(verifyAuditTrail(dir, AUDIT_TEST_KEY)).toMatchObject({ ok: true, records: 41, lastSeq: 41 });
  });

  it('detects an edited record', async () => {
    const dir = await trail(5);
    const file = auditFile(dir);
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('"consumer":"district-haidian"', '"consumer":"city-analytics"'),
    );
    const result = verifyAuditTrail(dir, AUDIT_TEST_KEY);
    expect(result.ok).toBe(false);
    expect(result.problems[0]!.message).toMatch(/record 1 was altered/);
  });

  it('detects a removed record', async () => {
    const dir = await trail(5);
    const file = auditFile(dir);
    const lines = readFileSync(file, 'utf8').split('\n');
    writeFileSync(file, [...lines.slice(0, 2), ...lines.slice(3)].join('\n'));
    expect(verifyAuditTrail(dir, AUDIT_TEST_KEY).problems.map((p) => p.message)).toContainEqual(
      expect.stringMatching(/record 4 where 3 was expected/),
    );
  });

  it('detects a trail cut short below its last checkpoint, and a forged checkpoint', async () => {
    const dir = await trail(5);
    const file = auditFile(dir);
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    writeFileSync(file, lines.slice(0, 3).join('\n') + '\n');
    expect(verifyAuditTrail(dir, AUDIT_TEST_KEY).problems.map((p) => p.message)).toContainEqual(
      expect.stringMatching(/vouches for record 5, which is missing: the trail was cut short/),
    );
    appendFileSync(
      join(dir, 'checkpoints.jsonl'),
      JSON.stringify({ seq: 3, hash: 'x', time: 't', signature: '00' }) + '\n',
    );
    expect(verifyAuditTrail(dir, AUDIT_TEST_KEY).problems.map((p) => p.message)).toContainEqual(
      expect.stringMatching(/bad signature/),
    );
  });

  it('cuts a torn last line (never acknowledged) when it reopens after a crash', async () => {
    const dir = await trail(3);
    appendFileSync(auditFile(dir), '{"seq":4,"time":"2026-11-27T00:');
    const log = await JsonlAuditLog.open(dir, { signingKey: AUDIT_TEST_KEY });
    expect((await log.append(entry(4))).seq).toBe(4);
    await log.close();
    expect(verifyAuditTrail(dir, AUDIT_TEST_KEY)).toMatchObject({ ok: true, records: 4 });
  });

  it('acknowledges a record only once it is on disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-'));
    const log = await JsonlAuditLog.open(dir, { signingKey: AUDIT_TEST_KEY, flushIntervalMs: 50 });
    const pending = log.append(entry(1));
    expect(readFileSync(auditFile(dir), 'utf8')).toBe('');
    await pending;
    expect(readFileSync(auditFile(dir), 'utf8')).toContain('"seq":1');
    await log.close();
  });

  it('keeps each operation text once per hash in the operation store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-'));
    const log = await JsonlAuditLog.open(dir, { signingKey: AUDIT_TEST_KEY });
    await Promise.all(
      [1, 2, 3].map((n) => log.append(entry(n), { text: '{ schools { nodes { name } } }', name: null })),
    );
    await log.append(
      { ...entry(4), operationHash: 'def' },
      { text: 'query Other { districts { name } }', name: 'Other' },
    );
    await log.close();
    const reopened = await JsonlAuditLog.open(dir, { signingKey: AUDIT_TEST_KEY });
    await reopened.append(entry(5), { text: '{ schools { nodes { name } } }', name: null });
    await reopened.close();
    expect(readOperations(dir).map((op) => [op.hash, op.name])).toEqual([
      ['abc', null],
      ['def', 'Other'],
    ]);
  });

  it('refuses records it cannot write (a full disk) without breaking the chain', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-'));
    // /dev/full answers every write with ENOSPC, like a full disk.
    symlinkSync('/dev/full', join(dir, 'audit-000000000001.jsonl'));
    const log = await JsonlAuditLog.open(dir, { signingKey: AUDIT_TEST_KEY });
    await expect(log.append(entry(1))).rejects.toThrow(/ENOSPC/);
    await expect(log.append(entry(2))).rejects.toThrow(/ENOSPC/);
    expect(log.lastSeq).toBe(0);
    await log.close().catch(() => undefined);
  });

  it("tells a staged record's place in the chain while its batch is still being written", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-'));
    const log = await JsonlAuditLog.open(dir, { signingKey: AUDIT_TEST_KEY });
    const order: string[] = [];
    const staged = [log.stage(entry(1)), log.stage(entry(2))];
    staged.forEach((record, i) => {
      void record.chained.then(() => order.push(`chained ${i + 1}`));
      void record.durable.then(() => order.push(`durable ${i + 1}`));
    });
    const durable = await Promise.all(staged.map((record) => record.durable));
    expect(order.slice(0, 2).sort()).toEqual(['chained 1', 'chained 2']);
    expect(await Promise.all(staged.map((record) => record.chained))).toEqual(durable);
    expect(durable.map((record) => record.seq)).toEqual([1, 2]);
    await log.close();
    await expect(log.stage(entry(3)).chained).rejects.toThrow(/closed/);
  });

  it('voids a staged record whose write fails: durable rejects, and so does chained if not yet told', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-'));
    symlinkSync('/dev/full', join(dir, 'audit-000000000001.jsonl'));
    const log = await JsonlAuditLog.open(dir, { signingKey: AUDIT_TEST_KEY });
    const staged = log.stage(entry(1));
    // Chained (its seq and hash were fixed) before the write failed: only `durable` says it is void.
    expect((await staged.chained).seq).toBe(1);
    await expect(staged.durable).rejects.toThrow(/ENOSPC/);
    expect(log.lastSeq).toBe(0);
    await log.close().catch(() => undefined);
  });

  it('signs a checkpoint a while after records were written, without waiting for more', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-'));
    const log = await JsonlAuditLog.open(dir, { signingKey: AUDIT_TEST_KEY, checkpointIntervalMs: 100 });
    await log.append(entry(1));
    await log.append(entry(2));
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(verifyAuditTrail(dir, AUDIT_TEST_KEY)).toMatchObject({ ok: true, records: 2, checkpoints: 1 });
    await log.close();
  });
});
