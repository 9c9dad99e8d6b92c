import { checkpointKey, verifyAuditTrail } from '@cdo-hub/gateway';
import { RedisTestServer } from '@cdo-hub/gateway/testing';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { as, HubProcess, TEST_SECRETS } from '../harness/hubProcess';
import { until } from '../harness/until';
import { hubCli } from '../harness/hubCli';

// The audit's tail is witnessed. The attack: stop the hub, remove the last 5 records of the trail
// together with the checkpoints that covered them. The folder alone still looks whole (its chain
// and its remaining checkpoints agree); `hub audit verify`, with no options, reads the witness the
// gateway wrote outside AUDIT_DIR — a folder by default, a Redis when configured — and fails.

const signingKey = checkpointKey(TEST_SECRETS.HUB_SUBGRAPH_SIGNING_KEY);

/** `hub audit <args>` as an operator runs it on the hub's machine: the hub's settings. */
const hubAudit = (args: string[], env: NodeJS.ProcessEnv) => hubCli(['audit', ...args], env);
/** `hub audit verify` with no options. */
const verify = (env: NodeJS.ProcessEnv) => hubAudit(['verify'], env);

const lines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : []);
const checkpointSeqs = (auditDir: string) =>
  lines(join(auditDir, 'checkpoints.jsonl')).map((line) => JSON.parse(line).seq as number);
const auditFiles = (auditDir: string) =>
  readdirSync(auditDir)
    .filter((f) => /^audit-\d+\.jsonl$/.test(f))
    .sort();

/**
 * Runs a real hub with `env`, sends 20 requests so that at least two checkpoints cover the last
 * five records (a timed one while they arrive, the shutdown one), stops it gracefully, and returns
 * where its trail is.
 */
async function writeTrailThroughHub(dataDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  // A short checkpoint interval, so a timed checkpoint falls among the last five records without waiting 10 s.
  const hub = await HubProcess.start({ dataDir, env: { AUDIT_CHECKPOINT_INTERVAL_MS: '200', ...env } });
  const auditDir = join(dataDir, 'audit');
  const ask = async () => {
    const { status } = await hub.query(
      '{ schools(first: 1) { nodes { name } } }',
      {},
      await as('district-haidian', 'enrollment-planning'),
    );
    expect(status).toBe(200);
  };
  try {
    for (let i = 0; i < 18; i++) await ask();
    await until(async () => checkpointSeqs(auditDir).some((seq) => seq > 15), 10_000);
    for (let i = 0; i < 2; i++) await ask();
  } finally {
    expect(await hub.stop()).toBe(0);
  }
  return auditDir;
}

/** The attacker's edit: the last `count` records and every checkpoint that covered one of them. */
function cutTail(auditDir: string, count: number): { lastSeq: number; cutCheckpoints: number } {
  const records = auditFiles(auditDir).flatMap((file) =>
    lines(join(auditDir, file)).map((line) => ({ file, line, seq: JSON.parse(line).seq as number })),
  );
  const lastSeq = records.at(-1)!.seq - count;
  for (const file of auditFiles(auditDir)) {
    const kept = records.filter((r) => r.file === file && r.seq <= lastSeq);
    if (kept.length) writeFileSync(join(auditDir, file), kept.map((r) => r.line + '\n').join(''));
    else unlinkSync(join(auditDir, file));
  }
  const checkpoints = lines(join(auditDir, 'checkpoints.jsonl'));
  const kept = checkpoints.filter((line) => JSON.parse(line).seq <= lastSeq);
  writeFileSync(join(auditDir, 'checkpoints.jsonl'), kept.map((line) => line + '\n').join(''));
  return { lastSeq, cutCheckpoints: checkpoints.length - kept.length };
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

it('hub audit verify fails when the last 5 records and the 2 checkpoints covering them are cut (witness folder, the default)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'audit-witness-e2e-'));
  dirs.push(dataDir);
  const auditDir = await writeTrailThroughHub(dataDir, {});
  expect(readdirSync(join(dataDir, 'audit-witness'))).toHaveLength(1); // one trail, outside AUDIT_DIR

  const before = await verify({ HUB_DATA_DIR: dataDir });
  expect(before).toMatchObject({ code: 0, stderr: '' });
  expect(before.stdout).toMatch(
    /^audit trail OK: 20 records \(last 20\), \d+ signed checkpoints, in .*; trail [0-9a-f-]{36}, witnessed up to record 20 in .*audit-witness\n$/,
  );

  const cut = cutTail(auditDir, 5);
  expect(cut.lastSeq).toBe(15);
  expect(cut.cutCheckpoints).toBeGreaterThanOrEqual(2);
  // What the folder alone says — the attack as reported: every remaining check passes.
  expect(verifyAuditTrail(auditDir, signingKey)).toMatchObject({ ok: true, records: 15 });

  const after = await verify({ HUB_DATA_DIR: dataDir });
  expect(after.code).toBe(1);
  expect(after.stderr).toBe('');
  expect(after.stdout).toMatch(
    /audit-witness: the trail ends at record 15, but its witness vouches for record 20 \(checkpoint of [^)]+\): records 16–20 were cut from the tail\n/,
  );
  expect(after.stdout).toMatch(/audit trail BROKEN: 1 problem\(s\) in .*\n$/);
}, 120_000);

it('the same with the witness on a Redis of its own (AUDIT_WITNESS_REDIS_URL)', async () => {
  const redis = await RedisTestServer.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'audit-witness-redis-e2e-'));
  dirs.push(dataDir);
  try {
    const witnessEnv = { AUDIT_WITNESS_REDIS_URL: redis.url };
    const auditDir = await writeTrailThroughHub(dataDir, witnessEnv);
    expect(existsSync(join(dataDir, 'audit-witness'))).toBe(false); // there instead, not as well

    expect(await verify({ HUB_DATA_DIR: dataDir, ...witnessEnv })).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^audit trail OK: 20 records .*witnessed up to record 20 in redis:\/\//),
    });
    // Verify reads the witness it is told to: the folder default holds nothing for this trail.
    expect(await verify({ HUB_DATA_DIR: dataDir })).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(
        /the witness holds nothing for trail [0-9a-f-]{36} \(the gateway wrote it at redis:\/\/127\.0\.0\.1:\d+\)/,
      ),
    });

    expect(cutTail(auditDir, 5).cutCheckpoints).toBeGreaterThanOrEqual(2);
    const after = await verify({ HUB_DATA_DIR: dataDir, ...witnessEnv });
    expect(after.code).toBe(1);
    expect(after.stdout).toMatch(
      /redis:\/\/127\.0\.0\.1:\d+: the trail ends at record 15, but its witness vouches for record 20 .*: records 16–20 were cut from the tail\n/,
    );
  } finally {
    await redis.stop();
  }
}, 120_000);

it('a restart does not hide the cut: with trail.json and checkpoints.jsonl deleted too, the gateway refuses to start a new trail; hub audit adopt records who and why', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'audit-readopt-e2e-'));
  dirs.push(dataDir);
  const auditDir = await writeTrailThroughHub(dataDir, {});
  const [witnessFile] = readdirSync(join(dataDir, 'audit-witness'));
  const firstTrail = witnessFile!.replace(/\.jsonl$/, '');

  // The attack: cut the tail, and remove what names the trail and vouches for its tail in the folder.
  cutTail(auditDir, 5);
  unlinkSync(join(auditDir, 'trail.json'));
  unlinkSync(join(auditDir, 'checkpoints.jsonl'));
  expect((await verify({ HUB_DATA_DIR: dataDir })).code).toBe(1);

  // …then wait for a restart: the gateway will not give the folder a new id by itself.
  const refused = await HubProcess.start({ dataDir }).then(
    async (hub) => {
      await hub.stop();
      return 'started';
    },
    (error: Error) => error.message,
  );
  expect(refused).toMatch(new RegExp(`the witness at .*audit-witness holds trail ${firstTrail} opened in this folder`));
  expect(refused).toMatch(/stop the gateway and run hub audit adopt --reason "<why>"/);
  expect(readdirSync(join(dataDir, 'audit-witness'))).toEqual([witnessFile]); // no second trail
  const afterRestart = await verify({ HUB_DATA_DIR: dataDir });
  expect(afterRestart.code).toBe(1);
  expect(afterRestart.stdout).toMatch(
    new RegExp(`the trail carries no id, but the witness at .* holds trail ${firstTrail} opened in this folder`),
  );

  // The override: an operator's decision, kept in the witness and reported by every verify.
  const adopted = await hubAudit(['adopt', '--reason', 'INC-7: tail lost with the old disk', '--by', 'ops-li'], {
    HUB_DATA_DIR: dataDir,
  });
  expect(adopted).toMatchObject({ code: 0, stderr: '' });
  expect(adopted.stdout).toMatch(
    new RegExp(
      `^new audit trail [0-9a-f-]{36} in .*, witnessed from record 15 in .*\nreplaces trail ${firstTrail}; recorded in the witness as adopted by "ops-li": "INC-7: tail lost with the old disk"\n`,
    ),
  );
  const hub = await HubProcess.start({ dataDir });
  try {
    const { status } = await hub.query(
      '{ schools(first: 1) { nodes { name } } }',
      {},
      await as('district-haidian', 'enrollment-planning'),
    );
    expect(status).toBe(200);
  } finally {
    expect(await hub.stop()).toBe(0);
  }
  const accepted = await verify({ HUB_DATA_DIR: dataDir });
  expect(accepted.code).toBe(0);
  expect(accepted.stdout).toMatch(
    new RegExp(
      `warning: trail [0-9a-f-]{36} was adopted at record 15 on .* by "ops-li", replacing trail ${firstTrail}: "INC-7: tail lost with the old disk"`,
    ),
  );
  expect(accepted.stdout).toMatch(/audit trail OK: 16 records \(last 16\)/);
}, 240_000);
