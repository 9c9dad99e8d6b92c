import { Redis } from 'ioredis';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisTestServer } from '../testing';
import { archiveAuditStream } from './archiveAuditStream';
import { accessEntry, AUDIT_TEST_KEY } from './auditFixtures.test-helpers';
import { adoptAuditTrail } from './adoptAuditTrail';
import { FileAuditWitness, type AuditWitness } from './auditWitness';
import { chainBatch, signCheckpoint } from './hashChain';
import { CHECKPOINT_FILE, JsonlAuditLog } from './jsonlAuditLog';
import { openAuditWitness } from './openAuditStore';
import { RedisAuditWitness } from './redisAuditWitness';
import { auditKeys, RedisStreamAuditLog } from './redisStreamAuditLog';
import { readTrailIdentity, TRAIL_FILE, type TrailIdentity } from './trailIdentity';
import { verifyAuditTrail, verifyWitnessedTrail } from './verifyAuditTrail';

// The attack this guards against: whoever can edit AUDIT_DIR removes the last records together with
// the checkpoints that covered them. The folder alone then looks whole; its witness does not.

const entry = (n: number) => accessEntry(n);

const temp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const fileWitness = () => new FileAuditWitness(join(temp('audit-witness-'), 'audit-witness'));

/**
 * Writes records in runs, as successive gateways would; each run ends with a graceful close (its
 * shutdown checkpoint) and closes its witness, so a Redis witness is connected anew per run.
 */
async function writeTrail(
  dir: string,
  witness: AuditWitness | (() => Promise<AuditWitness>) | undefined,
  runs: number[],
  options: { maxFileBytes?: number } = {},
): Promise<void> {
  let n = recordLines(dir).length;
  for (const records of runs) {
    const own = typeof witness === 'function' ? await witness() : witness;
    const log = await JsonlAuditLog.open(dir, {
      signingKey: AUDIT_TEST_KEY,
      ...(own ? { witness: own } : {}),
      ...options,
    });
    for (let i = 0; i < records; i++) await log.append(entry(++n));
    await log.close();
  }
}

const recordLines = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith('audit-'))
    .sort()
    .flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => ({ file: f, line })),
    );

/** The attacker's edit: the last `count` records, and every checkpoint that covered any of them. */
function cutTail(dir: string, count: number): { cutCheckpoints: number } {
  const lines = recordLines(dir);
  const kept = lines.slice(0, -count);
  const lastKept = kept.length ? JSON.parse(kept.at(-1)!.line).seq : 0;
  for (const file of new Set(lines.map((l) => l.file))) {
    const rest = kept.filter((l) => l.file === file).map((l) => l.line + '\n');
    if (rest.length) writeFileSync(join(dir, file), rest.join(''));
    else unlinkSync(join(dir, file));
  }
  const checkpoints = readFileSync(join(dir, CHECKPOINT_FILE), 'utf8').split('\n').filter(Boolean);
  const remaining = checkpoints.filter((line) => JSON.parse(line).seq <= lastKept);
  writeFileSync(join(dir, CHECKPOINT_FILE), remaining.map((line) => line + '\n').join(''));
  return { cutCheckpoints: checkpoints.length - remaining.length };
}

const messages = (result: { problems: { message: string }[] }) => result.problems.map((p) => p.message);

describe('the audit witness (files)', () => {
  it('gives a fresh trail its id before the first record, and witnesses every checkpoint, the shutdown one too', async () => {
    const dir = temp('audit-');
    const witness = fileWitness();
    const log = await JsonlAuditLog.open(dir, { signingKey: AUDIT_TEST_KEY, witness });
    const identity = readTrailIdentity(dir) as TrailIdentity;
    expect(identity).toMatchObject({ openedAtSeq: 0, witness: witness.location });
    expect(await witness.entries(identity.trailId)).toEqual([
      expect.objectContaining({ seq: 0, trailId: identity.trailId, opened: { location: dir } }),
    ]);
    for (let n = 1; n <= 3; n++) await log.append(entry(n));
    await log.close();
    const entries = (await witness.entries(identity.trailId))!;
    expect(entries.map((e) => e.seq)).toEqual([0, 3]);
    // The folder's checkpoint is the witness's, under one signature that covers the trail id.
    expect(JSON.parse(readFileSync(join(dir, CHECKPOINT_FILE), 'utf8'))).toEqual({
      ...entries[1],
      opened: undefined,
      trailId: identity.trailId,
    });
    expect(await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, witness)).toMatchObject({
      ok: true,
      records: 3,
      trailId: identity.trailId,
      witnessedSeq: 3,
      warnings: [],
      notes: [],
    });
  });

  it('catches records cut from the tail together with the checkpoints that covered them', async () => {
    const dir = temp('audit-');
    const witness = fileWitness();
    await writeTrail(dir, witness, [15, 3, 2]); // checkpoints at 15, 18 and 20
    expect(cutTail(dir, 5)).toEqual({ cutCheckpoints: 2 });
    // The folder alone: the chain is whole and every checkpoint left matches — the attack works.
    expect(verifyAuditTrail(dir, AUDIT_TEST_KEY)).toMatchObject({ ok: true, records: 15 });
    const result = await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, witness);
    expect(result.ok).toBe(false);
    expect(messages(result)).toEqual([
      expect.stringMatching(
        /^the trail ends at record 15, but its witness vouches for record 20 \(checkpoint of .*\): records 16–20 were cut from the tail$/,
      ),
    ]);
    expect(result.problems[0]!.file).toBe(witness.location);
  });

  it('catches records cut from the tail when the checkpoints were left', async () => {
    const dir = temp('audit-');
    const witness = fileWitness();
    await writeTrail(dir, witness, [10]);
    const lines = recordLines(dir);
    writeFileSync(
      join(dir, lines[0]!.file),
      lines
        .slice(0, 7)
        .map((l) => l.line + '\n')
        .join(''),
    );
    const result = await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, witness);
    expect(messages(result)).toEqual([
      expect.stringMatching(/vouches for record 10, which is missing/),
      expect.stringMatching(/ends at record 7, but its witness vouches for record 10/),
    ]);
  });

  it('refuses to write on a trail cut below its witness, and catches one whose last records were replaced after a cut', async () => {
    const dir = temp('audit-');
    const witness = fileWitness();
    await writeTrail(dir, witness, [8]);
    cutTail(dir, 3);
    // A gateway will not carry on: its new records would take the numbers of the missing ones.
    await expect(JsonlAuditLog.open(dir, { signingKey: AUDIT_TEST_KEY, witness })).rejects.toThrow(
      /ends at record 5, but its witness at .* vouches for record 8 \(checkpoint of .*\): records 6–8 are missing .*hub audit adopt --reason/,
    );
    // Records chained on by hand (or by a gateway older than that refusal): the same numbers, other records.
    const { seq, hash } = JSON.parse(recordLines(dir).at(-1)!.line) as { seq: number; hash: string };
    const { records } = chainBatch(
      [6, 7, 8].map((n) => ({ ...entry(n), consumer: 'city-analytics' })),
      seq,
      hash,
    );
    appendFileSync(join(dir, recordLines(dir).at(-1)!.file), records.map((r) => JSON.stringify(r) + '\n').join(''));
    const result = await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, witness);
    expect(messages(result)).toContainEqual(
      expect.stringMatching(/^record 8 differs from the one the witness vouched for/),
    );
  });

  it('accepts the witness one checkpoint ahead when the copy to checkpoints.jsonl failed, and the next open copies it over', async () => {
    const dir = temp('audit-');
    const witness = fileWitness();
    await writeTrail(dir, witness, [5]);
    const checkpoints = join(dir, CHECKPOINT_FILE);
    const saved = readFileSync(checkpoints);
    // Records 6 and 7, then the shutdown checkpoint: the witness takes it, the folder's disk is full
    // (/dev/full answers ENOSPC) — what a crash between the two writes leaves too.
    const log = await JsonlAuditLog.open(dir, { signingKey: AUDIT_TEST_KEY, witness });
    await log.append(entry(6));
    await log.append(entry(7));
    unlinkSync(checkpoints);
    symlinkSync('/dev/full', checkpoints);
    await log.close();
    unlinkSync(checkpoints);
    writeFileSync(checkpoints, saved);
    const { trailId } = readTrailIdentity(dir) as TrailIdentity;
    expect((await witness.entries(trailId))!.map((e) => e.seq)).toEqual([0, 5, 7]);

    const afterCrash = await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, witness);
    expect(afterCrash).toMatchObject({ ok: true, witnessedSeq: 7 });
    expect(afterCrash.notes).toEqual([
      expect.stringMatching(/1 witnessed checkpoint\(s\) \(last at record 7\) are not in checkpoints\.jsonl/),
    ]);

    // Ahead by one is accepted only while the records it vouches for are there.
    const cut = temp('audit-cut-');
    for (const f of readdirSync(dir)) writeFileSync(join(cut, f), readFileSync(join(dir, f)));
    cutTail(cut, 2);
    expect(messages(await verifyWitnessedTrail(cut, AUDIT_TEST_KEY, witness))).toEqual([
      expect.stringMatching(/ends at record 5, but its witness vouches for record 7/),
    ]);

    const reopened = await JsonlAuditLog.open(dir, { signingKey: AUDIT_TEST_KEY, witness });
    await reopened.close();
    expect(readFileSync(checkpoints, 'utf8')).toContain('"seq":7');
    expect(await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, witness)).toMatchObject({
      ok: true,
      witnessedSeq: 7,
      notes: [],
    });
  });

  it('follows the trail across rotated files, and catches a whole file cut off the end', async () => {
    const dir = temp('audit-');
    const witness = fileWitness();
    await writeTrail(dir, witness, [12, 12], { maxFileBytes: 2500 });
    const files = [...new Set(recordLines(dir).map((l) => l.file))];
    expect(files.length).toBeGreaterThan(2);
    expect(await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, witness)).toMatchObject({
      ok: true,
      records: 24,
      witnessedSeq: 24,
    });
    const lastFile = recordLines(dir).filter((l) => l.file === files.at(-1)).length;
    cutTail(dir, lastFile);
    expect(existsSync(join(dir, files.at(-1)!))).toBe(false);
    expect(messages(await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, witness))).toEqual([
      expect.stringMatching(new RegExp(`ends at record ${24 - lastFile}, but its witness vouches for record 24`)),
    ]);
  });

  it('adopts a trail written before trails had ids without rewriting it, and guards it from then on', async () => {
    const dir = temp('audit-');
    const witness = fileWitness();
    await writeTrail(dir, undefined, [6]);
    const before = recordLines(dir).map((l) => l.line);
    const oldCheckpoints = readFileSync(join(dir, CHECKPOINT_FILE), 'utf8');
    // Not opened since: nothing guards its tail yet, and verify says so without failing.
    const unadopted = await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, witness);
    expect(unadopted).toMatchObject({
      ok: true,
      warnings: [expect.stringMatching(/this trail has no id, so no witness guards its tail/)],
    });

    const log = await JsonlAuditLog.open(dir, { signingKey: AUDIT_TEST_KEY, witness });
    const identity = readTrailIdentity(dir) as TrailIdentity;
    expect(identity.openedAtSeq).toBe(6);
    expect(await witness.entries(identity.trailId)).toEqual([
      expect.objectContaining({ seq: 6, opened: { location: dir } }),
    ]);
    await log.append(entry(7));
    await log.close();
    // History untouched: the same records and the old checkpoints, byte for byte, then the new ones.
    expect(
      recordLines(dir)
        .map((l) => l.line)
        .slice(0, 6),
    ).toEqual(before);
    expect(readFileSync(join(dir, CHECKPOINT_FILE), 'utf8').startsWith(oldCheckpoints)).toBe(true);
    expect(await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, witness)).toMatchObject({
      ok: true,
      records: 7,
      witnessedSeq: 7,
      warnings: [],
    });

    // The adoption entry itself vouches for the tail it found.
    const copy = temp('audit-copy-');
    for (const f of readdirSync(dir)) writeFileSync(join(copy, f), readFileSync(join(dir, f)));
    cutTail(dir, 2);
    expect(messages(await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, witness))).toEqual([
      expect.stringMatching(/ends at record 5, but its witness vouches for record 7/),
    ]);
  });

  it('reports a trail whose id was removed or changed, and a witness that holds nothing for it', async () => {
    const dir = temp('audit-');
    const witness = fileWitness();
    await writeTrail(dir, witness, [4]);
    const identity = readTrailIdentity(dir) as TrailIdentity;

    // Pointed at another (empty) witness: an error, naming where the gateway wrote it.
    const elsewhere = fileWitness();
    const lost = await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, elsewhere);
    expect(lost.ok).toBe(false);
    expect(messages(lost)).toEqual([
      expect.stringMatching(
        new RegExp(`holds nothing for trail ${identity.trailId} \\(the gateway wrote it at ${witness.location}\\)`),
      ),
    ]);
    await expect(JsonlAuditLog.open(dir, { signingKey: AUDIT_TEST_KEY, witness: elsewhere })).rejects.toThrow(
      /holds nothing for trail/,
    );

    // Another id in trail.json: the signed checkpoints still name the real one.
    writeFileSync(
      join(dir, TRAIL_FILE),
      JSON.stringify({ ...identity, trailId: '00000000-0000-4000-8000-000000000000' }),
    );
    expect(messages(await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, witness))).toContainEqual(
      expect.stringMatching(/belongs to trail .*, not to 00000000-/),
    );

    // trail.json and every checkpoint gone, records cut: the witness knows a trail was opened here.
    unlinkSync(join(dir, TRAIL_FILE));
    cutTail(dir, 2);
    writeFileSync(join(dir, CHECKPOINT_FILE), '');
    const stripped = await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, witness);
    expect(messages(stripped)).toEqual([
      expect.stringMatching(
        new RegExp(
          `the trail carries no id, but the witness at .* holds trail ${identity.trailId} opened in this folder`,
        ),
      ),
    ]);

    // The whole folder emptied.
    for (const f of readdirSync(dir)) unlinkSync(join(dir, f));
    expect(messages(await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, witness))).toEqual([
      expect.stringMatching(
        /^there is no trail here, but the witness .* holds trail .* opened in this folder: the trail was removed$/,
      ),
    ]);
    // …whereas an empty folder no trail was ever opened in is simply empty.
    expect(await verifyWitnessedTrail(temp('audit-'), AUDIT_TEST_KEY, witness)).toMatchObject({
      ok: true,
      records: 0,
      warnings: [],
    });
  });

  it('refuses a witness folder inside the audit folder', async () => {
    const dir = temp('audit-');
    const settings = { auditDir: dir, auditRedisAllowEverysec: false };
    await expect(openAuditWitness({ ...settings, auditWitnessDir: join(dir, 'witness') })).rejects.toThrow(
      /inside the audit folder/,
    );
    await expect(openAuditWitness({ ...settings, auditWitnessDir: dir })).rejects.toThrow(/inside the audit folder/);
    expect((await openAuditWitness({ ...settings, auditWitnessDir: `${dir}-witness` })).location).toBe(
      `${dir}-witness`,
    );
  });

  it('keeps reading a witness file after a torn last line', async () => {
    const witness = fileWitness();
    const dir = temp('audit-');
    await writeTrail(dir, witness, [2]);
    const { trailId } = readTrailIdentity(dir) as TrailIdentity;
    appendFileSync(join(witness.location, `${trailId}.jsonl`), '{"seq":3,"ha');
    await writeTrail(dir, witness, [1]);
    expect((await witness.entries(trailId))!.map((e) => e.seq)).toEqual([0, 2, 3]);
    rmSync(join(witness.location, '..'), { recursive: true, force: true });
  });
});

// The reviewer's attack: cut the last records, delete trail.json and checkpoints.jsonl, wait for a
// restart. Before the fix the gateway gave the cut trail a new id, and verify — which asked the
// witness about the folder only when the trail had no id — passed without a warning.
describe('a folder the witness knows never gets a new trail id by itself', () => {
  const stripAndCut = (dir: string, count: number) => {
    cutTail(dir, count);
    unlinkSync(join(dir, TRAIL_FILE));
    unlinkSync(join(dir, CHECKPOINT_FILE));
  };

  it('the gateway refuses to open a cut trail stripped of its id, naming the override; verify keeps failing', async () => {
    const dir = temp('audit-');
    const witness = fileWitness();
    await writeTrail(dir, witness, [20]);
    const { trailId } = readTrailIdentity(dir) as TrailIdentity;
    stripAndCut(dir, 5);
    expect(await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, witness)).toMatchObject({ ok: false });

    await expect(JsonlAuditLog.open(dir, { signingKey: AUDIT_TEST_KEY, witness })).rejects.toThrow(
      new RegExp(
        `carries no id \\(trail.json is missing\\), but the witness at .* holds trail ${trailId} opened in this folder.*hub audit adopt --reason`,
      ),
    );
    // Nothing was written: no new id, no new trail in the witness.
    expect(existsSync(join(dir, TRAIL_FILE))).toBe(false);
    expect(await witness.trailsOpenedAt(dir)).toEqual([trailId]);
    const after = await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, witness);
    expect(after.ok).toBe(false);
    expect(messages(after)).toEqual([
      expect.stringMatching(
        new RegExp(`the trail carries no id, but the witness .* holds trail ${trailId} opened in this folder`),
      ),
    ]);
  });

  it('verify fails on a trail that was given a new id over an earlier one (as gateways before the fix did)', async () => {
    const dir = temp('audit-');
    const witness = fileWitness();
    await writeTrail(dir, witness, [20]);
    const { trailId: first } = readTrailIdentity(dir) as TrailIdentity;
    stripAndCut(dir, 5);
    // What an older gateway did on restart: a new trail opened at the cut tail, in the same folder.
    const { seq, hash } = JSON.parse(recordLines(dir).at(-1)!.line);
    const second = '11111111-2222-4333-8444-555555555555';
    await witness.append({
      ...signCheckpoint(AUDIT_TEST_KEY, seq, hash, new Date().toISOString(), second),
      trailId: second,
      opened: { location: dir },
    });
    writeFileSync(
      join(dir, TRAIL_FILE),
      JSON.stringify({
        trailId: second,
        created: new Date().toISOString(),
        openedAtSeq: seq,
        witness: witness.location,
      }),
    );
    await writeTrail(dir, witness, [2]);

    const result = await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, witness);
    expect(result.ok).toBe(false);
    expect(result.trailId).toBe(second);
    expect(messages(result)).toEqual([
      expect.stringMatching(
        new RegExp(
          `the witness also holds trail ${first} \\(witnessed up to record 20\\) opened in this folder, which trail ${second} does not continue`,
        ),
      ),
    ]);
  });

  it('hub audit adopt starts a new trail, recording who and why in the witness; verify reports it on every run and guards the new tail', async () => {
    const dir = temp('audit-');
    const witness = fileWitness();
    await writeTrail(dir, witness, [20]);
    const { trailId: first } = readTrailIdentity(dir) as TrailIdentity;
    stripAndCut(dir, 5);

    await expect(adoptAuditTrail(dir, witness, AUDIT_TEST_KEY, { by: 'ops-wang', reason: '  ' })).rejects.toThrow(
      /say why/,
    );
    const adopted = await adoptAuditTrail(dir, witness, AUDIT_TEST_KEY, {
      by: 'ops-wang',
      reason: 'INC-1432: disk replaced, tail lost',
    });
    expect(adopted).toMatchObject({ atSeq: 15, supersedes: [first], movedAside: [] });
    expect(await witness.entries(adopted.trailId)).toEqual([
      expect.objectContaining({
        seq: 15,
        opened: {
          location: dir,
          adoption: { by: 'ops-wang', reason: 'INC-1432: disk replaced, tail lost', supersedes: [first] },
        },
      }),
    ]);
    // Adopting again is refused: the folder's trail is whole and witnessed.
    await expect(adoptAuditTrail(dir, witness, AUDIT_TEST_KEY, { by: 'x', reason: 'y' })).rejects.toThrow(
      /nothing to adopt/,
    );

    await writeTrail(dir, witness, [3]); // the gateway starts again
    const result = await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, witness);
    expect(result).toMatchObject({ ok: true, records: 18, trailId: adopted.trailId, witnessedSeq: 18 });
    expect(result.warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^trail ${adopted.trailId} was adopted at record 15 on .* by "ops-wang", replacing trail ${first}: "INC-1432: disk replaced, tail lost"`,
        ),
      ),
    ]);
    // The new trail's tail is guarded like any other.
    cutTail(dir, 2);
    expect(messages(await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, witness))).toEqual([
      expect.stringMatching(/ends at record 16, but its witness vouches for record 18/),
    ]);
  });

  it('adopts a trail restored from an older backup (its witness vouches for records it lacks), and verify names the lost records', async () => {
    const dir = temp('audit-');
    const witness = fileWitness();
    await writeTrail(dir, witness, [15]);
    const backup = temp('audit-backup-');
    for (const f of readdirSync(dir)) writeFileSync(join(backup, f), readFileSync(join(dir, f)));
    await writeTrail(dir, witness, [5]); // served after the backup, then the disk is lost
    for (const f of readdirSync(dir)) unlinkSync(join(dir, f));
    for (const f of readdirSync(backup)) writeFileSync(join(dir, f), readFileSync(join(backup, f)));
    const { trailId: first } = readTrailIdentity(dir) as TrailIdentity;

    await expect(JsonlAuditLog.open(dir, { signingKey: AUDIT_TEST_KEY, witness })).rejects.toThrow(
      /records 16–20 are missing — cut, or lost with a disk and the trail restored from an older backup/,
    );
    const adopted = await adoptAuditTrail(dir, witness, AUDIT_TEST_KEY, { by: 'ops', reason: 'INC-9: disk lost' });
    expect(adopted).toMatchObject({ atSeq: 15, supersedes: [first] });
    expect(adopted.movedAside).toHaveLength(2);
    await writeTrail(dir, witness, [2]);
    const result = await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, witness);
    expect(result).toMatchObject({ ok: true, records: 17, trailId: adopted.trailId, witnessedSeq: 17 });
    expect(result.warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `was adopted at record 15 .* replacing trail ${first}: "INC-9: disk lost" — .*; records 16–20 of trail ${first}, vouched for by its witness, are lost \\(the new trail numbers its own records from 16\\)$`,
        ),
      ),
    ]);
  });

  it("adopt moves a replaced trail's checkpoints and trail.json aside (a lost witness), and refuses where there is nothing to replace", async () => {
    const dir = temp('audit-');
    await writeTrail(dir, fileWitness(), [4]);
    const fresh = fileWitness(); // the witness the trail was written with is lost
    await expect(JsonlAuditLog.open(dir, { signingKey: AUDIT_TEST_KEY, witness: fresh })).rejects.toThrow(
      /holds nothing for trail .*hub audit adopt --reason/,
    );
    const adopted = await adoptAuditTrail(dir, fresh, AUDIT_TEST_KEY, { by: 'ops', reason: 'witness disk lost' });
    expect(adopted.movedAside).toEqual([
      expect.stringMatching(/^checkpoints\.superseded-.*\.jsonl$/),
      expect.stringMatching(/^trail\.superseded-.*\.json$/),
    ]);
    await writeTrail(dir, fresh, [1]);
    expect(await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, fresh)).toMatchObject({
      ok: true,
      records: 5,
      warnings: [expect.stringMatching(/was adopted at record 4/)],
    });

    await expect(
      adoptAuditTrail(temp('audit-'), fresh, AUDIT_TEST_KEY, { by: 'ops', reason: 'why not' }),
    ).rejects.toThrow(/knows no trail opened in/);
  });

  it("a gateway that crashed between the witness's first entry and trail.json resumes the same trail", async () => {
    const witness = fileWitness();
    // Simulated: a trail whose only witness entry is its opening at this tail, and no trail.json.
    const other = temp('audit-');
    await writeTrail(other, undefined, [2]);
    const { seq, hash } = JSON.parse(recordLines(other).at(-1)!.line);
    const opening = '22222222-3333-4444-8555-666666666666';
    await witness.append({
      ...signCheckpoint(AUDIT_TEST_KEY, seq, hash, new Date().toISOString(), opening),
      trailId: opening,
      opened: { location: other },
    });
    const log = await JsonlAuditLog.open(other, { signingKey: AUDIT_TEST_KEY, witness });
    expect(log.trailId).toBe(opening);
    await log.close();
    expect(await verifyWitnessedTrail(other, AUDIT_TEST_KEY, witness)).toMatchObject({
      ok: true,
      trailId: opening,
      warnings: [],
    });
  });
});

describe('FileAuditWitness.last', () => {
  it('reads the last entry from the end of a large file, past a torn last line', async () => {
    const witness = fileWitness();
    const trailId = '33333333-4444-4555-8666-777777777777';
    for (let seq = 0; seq <= 400; seq++)
      await witness.append({
        ...signCheckpoint(AUDIT_TEST_KEY, seq, 'h'.repeat(64), new Date(0).toISOString(), trailId),
        trailId,
      });
    expect((await witness.last(trailId))!.seq).toBe(400);
    appendFileSync(join(witness.location, `${trailId}.jsonl`), '{"seq":401,"ha');
    expect((await witness.last(trailId))!.seq).toBe(400);
    // One entry longer than the first window still parses.
    const long = '44444444-5555-4666-8777-888888888888';
    await witness.append({
      ...signCheckpoint(AUDIT_TEST_KEY, 1, 'h'.repeat(64), new Date(0).toISOString(), long),
      trailId: long,
      opened: { location: 'x'.repeat(40_000) },
    });
    expect((await witness.last(long))!.seq).toBe(1);
    expect(await witness.last('55555555-6666-4777-8888-999999999999')).toBeUndefined();
  });
});

describe('the audit witness on Redis (real redis-server)', () => {
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

  it('refuses a Redis that could lose checkpoints, and the audit Redis itself', async () => {
    const lossy = await RedisTestServer.start({ appendfsync: 'everysec' });
    try {
      await expect(RedisAuditWitness.open(lossy.url)).rejects.toThrow(/could lose checkpoints/);
    } finally {
      await lossy.stop();
    }
    await expect(
      openAuditWitness({
        auditDir: temp('audit-'),
        auditWitnessDir: temp('w-'),
        auditWitnessRedisUrl: `${server.url}/2`,
        auditRedisUrl: server.url,
        auditRedisAllowEverysec: false,
      }),
    ).rejects.toThrow(/names the audit Redis itself/);
  });

  it('catches the same cut with the witness on Redis', async () => {
    const dir = temp('audit-');
    await writeTrail(dir, () => RedisAuditWitness.open(server.url), [15, 3, 2]);
    const { trailId } = readTrailIdentity(dir) as TrailIdentity;
    const reader = await RedisAuditWitness.open(server.url);
    try {
      expect((await reader.entries(trailId))!.map((e) => e.seq)).toEqual([0, 15, 18, 20]);
      expect(await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, reader)).toMatchObject({ ok: true, witnessedSeq: 20 });
      cutTail(dir, 5);
      expect(messages(await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, reader))).toEqual([
        expect.stringMatching(/ends at record 15, but its witness vouches for record 20/),
      ]);
      unlinkSync(join(dir, TRAIL_FILE));
      writeFileSync(join(dir, CHECKPOINT_FILE), '');
      expect(messages(await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, reader))).toEqual([
        expect.stringMatching(/the trail carries no id, but the witness at .* holds trail/),
      ]);
    } finally {
      await reader.close();
    }
  });

  it('witnesses the Redis Stream trail: archiving refuses a stream cut below its witnessed checkpoint', async () => {
    const witness = await RedisAuditWitness.open(server.url);
    const log = await RedisStreamAuditLog.open(server.url, {
      signingKey: AUDIT_TEST_KEY,
      instance: 'witnessed',
      witness,
    });
    expect(log.trailId).toMatch(/^[0-9a-f-]{36}$/);
    for (let n = 1; n <= 10; n++) await log.append(entry(n));
    await log.close();
    const reader = await RedisAuditWitness.open(server.url);
    expect((await reader.entries(log.trailId!))!.map((e) => e.seq)).toEqual([0, 10]);
    await reader.close();

    // Records 8-10 and the checkpoint that covered them removed from the stream before archiving.
    const keys = auditKeys('witnessed');
    const ids = ((await admin.xrange(keys.records, '-', '+')) as [string, string[]][]).map(([id]) => id);
    await admin.xdel(keys.records, ...ids.slice(7));
    await admin.del(keys.checkpoints);
    const dir = temp('audit-archive-');
    await expect(
      archiveAuditStream(server.url, {
        instance: 'witnessed',
        dir,
        signingKey: AUDIT_TEST_KEY,
        witness: await RedisAuditWitness.open(server.url),
      }),
    ).rejects.toThrow(/ends at record 7, but its witness vouches for record 10 .*: records were cut from the stream/);
  });

  it('archives a whole stream with its witness, and the archive folder is witnessed in turn', async () => {
    const log = await RedisStreamAuditLog.open(server.url, {
      signingKey: AUDIT_TEST_KEY,
      instance: 'whole',
      witness: await RedisAuditWitness.open(server.url),
    });
    for (let n = 1; n <= 6; n++) await log.append(entry(n));
    await log.close();
    const dir = temp('audit-archive-');
    expect(
      await archiveAuditStream(server.url, {
        instance: 'whole',
        dir,
        signingKey: AUDIT_TEST_KEY,
        witness: await RedisAuditWitness.open(server.url),
      }),
    ).toEqual({ archived: 6, lastSeq: 6 });
    const reader = await RedisAuditWitness.open(server.url);
    try {
      expect(await verifyWitnessedTrail(dir, AUDIT_TEST_KEY, reader)).toMatchObject({
        ok: true,
        records: 6,
        witnessedSeq: 6,
      });
    } finally {
      await reader.close();
    }
  });
});
