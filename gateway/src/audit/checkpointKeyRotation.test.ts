import { signingKeyring } from '@cdo-hub/contracts';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisTestServer } from '../testing';
import { archiveAuditStream } from './archiveAuditStream';
import { accessEntry } from './auditFixtures.test-helpers';
import { FileAuditWitness } from './auditWitness';
import { checkpointKey, checkpointKeyring, checkpointSignedUnder, signCheckpoint, type Checkpoint } from './hashChain';
import { CHECKPOINT_FILE, JsonlAuditLog } from './jsonlAuditLog';
import { RedisAuditWitness } from './redisAuditWitness';
import { RedisStreamAuditLog } from './redisStreamAuditLog';
import { verifyAuditTrail, verifyWitnessedTrail } from './verifyAuditTrail';

// A rotation of the subgraph signing key, as the audit trail lives through it: the gateway is
// restarted with a new key while its trail holds checkpoints signed under the old one. It must
// open the trail and carry on; verify must accept the old checkpoints when given the old key, say
// so, and without it fail naming the variable that holds it.

const OLD_SIGNING_KEY = 'subgraph-signing-key-before-rotation-0123';
const NEW_SIGNING_KEY = 'subgraph-signing-key-after-rotation-45678';
const OLD = checkpointKey(OLD_SIGNING_KEY);
const NEW = checkpointKey(NEW_SIGNING_KEY);
const ROTATED = checkpointKeyring(signingKeyring(NEW_SIGNING_KEY, [OLD_SIGNING_KEY]));

const dirs: string[] = [];
const temp = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const checkpointsOf = (dir: string) =>
  readFileSync(join(dir, CHECKPOINT_FILE), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Checkpoint);

async function writeRun(dir: string, witness: FileAuditWitness, key: string, from: number, count: number) {
  const log = await JsonlAuditLog.open(dir, { signingKey: key, witness });
  for (let n = from; n < from + count; n++) await log.append(accessEntry(n));
  await log.close();
}

describe('checkpoint keyring', () => {
  it('derives the checkpoint keys from the signing keyring, and tells which key signed a checkpoint', () => {
    expect(ROTATED).toEqual({ current: NEW, previous: [OLD] });
    const underOld = signCheckpoint(OLD, 3, 'a'.repeat(64), '2026-12-04T00:00:00.000Z');
    const underNew = signCheckpoint(NEW, 3, 'a'.repeat(64), '2026-12-04T00:00:00.000Z');
    expect(checkpointSignedUnder(ROTATED, underNew)).toBe('current');
    expect(checkpointSignedUnder(ROTATED, underOld)).toBe('previous');
    expect(checkpointSignedUnder(NEW, underOld)).toBeUndefined();
    expect(checkpointSignedUnder(ROTATED, { ...underOld, seq: 4 })).toBeUndefined();
    expect(checkpointSignedUnder(ROTATED, signCheckpoint(checkpointKey('x'.repeat(40)), 3, 'a'.repeat(64), 't'))).toBe(
      undefined,
    );
  });
});

describe('a trail across a rotation of the signing key (files, file witness)', () => {
  it('is opened by the gateway restarted with the new key, which signs what follows under it', async () => {
    const dir = temp('audit-rotation-');
    const witness = new FileAuditWitness(join(temp('audit-rotation-witness-'), 'audit-witness'));
    await writeRun(dir, witness, OLD, 1, 5);
    // The restart with the new key: this is what a rotation needs to work at all.
    await writeRun(dir, witness, NEW, 6, 5);
    const signers = checkpointsOf(dir).map((checkpoint) => checkpointSignedUnder(ROTATED, checkpoint));
    expect(signers).toEqual(['previous', 'current']);
    // And once more, now with the old key given too (as the gateway runs during a rotation): new ones under the new key.
    await writeRun(dir, witness, NEW, 11, 2);
    expect(checkpointSignedUnder(NEW, checkpointsOf(dir).at(-1)!)).toBe('current');
  });

  it('verifies with the previous key given, and says which checkpoints it vouched for', async () => {
    const dir = temp('audit-rotation-');
    const witness = new FileAuditWitness(join(temp('audit-rotation-witness-'), 'audit-witness'));
    await writeRun(dir, witness, OLD, 1, 4);
    await writeRun(dir, witness, OLD, 5, 3);
    await writeRun(dir, witness, NEW, 8, 3);
    const result = await verifyWitnessedTrail(dir, ROTATED, witness);
    expect(result).toMatchObject({
      ok: true,
      records: 10,
      checkpoints: 3,
      witnessedSeq: 10,
      previousKeyCheckpoints: { count: 2, fromSeq: 4, toSeq: 7 },
      problems: [],
    });
    expect(result.notes).toEqual([
      '2 checkpoint(s), at records 4–7, verified under a previous signing key (HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS): written before the key was rotated; keep that key for as long as this trail must verify',
    ]);
    expect(verifyAuditTrail(dir, ROTATED)).toMatchObject({ ok: true, previousKeyCheckpoints: { count: 2 } });
  });

  it('fails without the previous key, naming the variable to set', async () => {
    const dir = temp('audit-rotation-');
    const witness = new FileAuditWitness(join(temp('audit-rotation-witness-'), 'audit-witness'));
    await writeRun(dir, witness, OLD, 1, 4);
    await writeRun(dir, witness, NEW, 5, 2);
    const result = await verifyWitnessedTrail(dir, NEW, witness);
    expect(result.ok).toBe(false);
    expect(result).not.toHaveProperty('previousKeyCheckpoints');
    const hint =
      'if HUB_SUBGRAPH_SIGNING_KEY was rotated since it was written, set HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS to the key(s) it replaced';
    expect(result.problems.map((p) => `${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`)).toEqual([
      `${CHECKPOINT_FILE}:1: checkpoint at record 4 has a bad signature (${hint})`,
      `${witness.location}: the witness's entry for record 0 has a bad signature (${hint})`,
      `${witness.location}: the witness's entry for record 4 has a bad signature (${hint})`,
    ]);
  });

  it('still refuses a checkpoint signed under neither key', async () => {
    const dir = temp('audit-rotation-');
    const witness = new FileAuditWitness(join(temp('audit-rotation-witness-'), 'audit-witness'));
    await writeRun(dir, witness, OLD, 1, 3);
    await writeRun(dir, witness, NEW, 4, 3);
    const forged = signCheckpoint(checkpointKey('someone-elses-key-0123456789abcdef'), 6, 'f'.repeat(64), 't');
    appendFileSync(join(dir, CHECKPOINT_FILE), JSON.stringify(forged) + '\n');
    const result = await verifyWitnessedTrail(dir, ROTATED, witness);
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^checkpoint at record 6 has a bad signature/),
    ]);
  });
});

describe('a Redis Stream trail across a rotation (real redis-server)', () => {
  let server: RedisTestServer;
  beforeAll(async () => {
    server = await RedisTestServer.start();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('is opened by a gateway restarted with the new key, and archived by an archiver on the new key', async () => {
    for (const key of [OLD, NEW]) {
      const log = await RedisStreamAuditLog.open(server.url, {
        signingKey: key,
        instance: 'rotated',
        witness: await RedisAuditWitness.open(server.url),
      });
      const from = log.lastSeq + 1;
      for (let n = from; n < from + 4; n++) await log.append(accessEntry(n));
      await log.close();
    }
    const dir = temp('audit-rotation-archive-');
    expect(
      await archiveAuditStream(server.url, {
        instance: 'rotated',
        dir,
        signingKey: NEW,
        witness: await RedisAuditWitness.open(server.url),
      }),
    ).toEqual({ archived: 8, lastSeq: 8 });
    // The stream's checkpoints stay in Redis and its witness; the archive folder's are the archiver's own.
    const reader = await RedisAuditWitness.open(server.url);
    try {
      expect(await verifyWitnessedTrail(dir, ROTATED, reader)).toMatchObject({ ok: true, records: 8 });
    } finally {
      await reader.close();
    }
  });
});
