import {
  FileAuditWitness,
  FileGrantStore,
  FileSchemaRegistry,
  GRANT_EVENTS_CURSOR,
  JsonlAuditLog,
  RedisGrantStore,
  verifyAuditChains,
  type AccessEntry,
  grantStepRecord,
  type GrantStoreState,
} from '@cdo-hub/gateway';
import { RedisTestServer } from '@cdo-hub/gateway/testing';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyWholeLines, describeFile } from './backupFiles';
import { checkBackup, MANIFEST_FILE, type BackupManifest } from './backupManifest';
import type { StoreSettings } from './documentStores';
import { restoreBackup } from './restoreBackup';
import { takeBackup } from './takeBackup';

// The copy a backup takes of a live trail must verify against the copy of its witness, and end at
// whole records; the manifest must catch any change to the backup before a restore writes anything.

const KEY = 'backup-test-checkpoint-key-0123456789';
const temp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function hubFolders(): StoreSettings & { root: string } {
  const root = temp('backup-hub-');
  made.push(root);
  return {
    root,
    auditDir: join(root, 'audit'),
    auditWitnessDir: join(root, 'audit-witness'),
    auditRedisAllowEverysec: false,
    grantStoreDir: join(root, 'grants'),
    schemaRegistryDir: join(root, 'registry'),
  };
}

const access = (n: number): AccessEntry => ({
  time: new Date(Date.UTC(2026, 11, 4) + n * 1000).toISOString(),
  requestId: `r${n}`,
  consumer: 'district-haidian',
  purpose: 'enrollment-planning',
  operationName: null,
  operationHash: 'abc',
  grants: [],
  agencies: { education: { released: ['School.name'], masked: [], denied: [], entities: 1, grants: [] } },
  supergraphVersion: 's1',
  policyVersion: 'p1',
  outcome: 'ok',
});

/** One gateway run: opens the trail with its witness, appends, closes (its shutdown checkpoint, witness first). */
async function gatewayRun(
  settings: StoreSettings,
  count: number,
  extra: (log: JsonlAuditLog) => Promise<void> = async () => undefined,
) {
  const log = await JsonlAuditLog.open(settings.auditDir, {
    signingKey: KEY,
    witness: new FileAuditWitness(settings.auditWitnessDir),
  });
  const from = log.lastSeq;
  for (let n = from + 1; n <= from + count; n++) await log.append(access(n));
  await extra(log);
  await log.close();
}

const verifyCopy = async (backup: string) =>
  verifyAuditChains(join(backup, 'audit'), KEY, new FileAuditWitness(join(backup, 'audit-witness')));

describe('copyWholeLines', () => {
  it('copies up to the last complete line, across chunk boundaries, and leaves a line being written out', () => {
    const dir = temp('backup-lines-');
    made.push(dir);
    const lines = Array.from({ length: 30_000 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(i % 157)}"}\n`).join('');
    expect(Buffer.byteLength(lines)).toBeGreaterThan(2 * 2 ** 20); // several 1 MiB chunks
    writeFileSync(join(dir, 'source'), lines + '{"n":30000,"pad":"half wri');
    const copied = copyWholeLines(join(dir, 'source'), join(dir, 'copy'));
    expect(readFileSync(join(dir, 'copy'), 'utf8')).toBe(lines);
    expect(copied).toEqual(describeFile(join(dir, 'copy')));

    writeFileSync(join(dir, 'torn'), 'no newline yet');
    expect(copyWholeLines(join(dir, 'torn'), join(dir, 'torn-copy')).bytes).toBe(0);
    expect(() => copyWholeLines(join(dir, 'source'), join(dir, 'copy'))).toThrow(/EEXIST/); // never over a file
  });
});

describe('hub backup of a live trail', () => {
  it('ends each chain at a whole record when a record is being written, and the copy verifies', async () => {
    const hub = hubFolders();
    await gatewayRun(hub, 7);
    // A batch half written when the backup reads the file (O_DSYNC write in progress).
    const [file] = readdirSync(hub.auditDir).filter((f) => f.startsWith('audit-'));
    appendFileSync(join(hub.auditDir, file!), '{"time":"2026-12-04T00:00:08.000Z","requestId":"r8","consu');
    const to = join(hub.root, 'backup');
    const { manifest, lines } = await takeBackup(hub, to);
    expect(readFileSync(join(to, 'audit', file!), 'utf8')).toMatch(/\}\n$/);
    expect(manifest.stores.audit?.chains).toEqual([
      expect.objectContaining({ chain: '.', lastSeq: 7, lastHash: expect.stringMatching(/^[0-9a-f]{64}$/) }),
    ]);
    expect(await verifyCopy(to)).toEqual([expect.objectContaining({ ok: true, records: 7, witnessedSeq: 7 })]);
    expect(lines).toEqual([
      expect.stringMatching(/^audit trail: chain to record 7; 3 files, .* from .*\/audit$/),
      expect.stringMatching(/^audit witness: 1 trail\(s\), .* from .*\/audit-witness$/),
      expect.stringMatching(/^grant store: nothing to copy \(empty at .*grants\.json\)$/),
      expect.stringMatching(/^schema registry: nothing to copy \(empty at .*registry\.json\)$/),
    ]);
  });

  it('verifies when the gateway writes records and checkpoints between every step of the copy', async () => {
    const hub = hubFolders();
    await gatewayRun(hub, 5);
    const to = join(hub.root, 'backup');
    const steps: string[] = [];
    const { manifest } = await takeBackup(hub, to, {
      afterStep: async (step) => {
        steps.push(step);
        await gatewayRun(hub, 3); // records 6–8, then 9–11, then 12–14, each run closed by a checkpoint
      },
    });
    expect(steps).toEqual(['identity', 'witness', 'records']);
    // Checkpoints copied first (≤ 5), the witness next (≤ 8), the records last (≤ 11).
    expect(manifest.stores.audit?.chains?.[0]?.lastSeq).toBe(11);
    const [copy] = await verifyCopy(to);
    expect(copy).toMatchObject({ ok: true, records: 11, witnessedSeq: 8, problems: [] });
    // The live trail went on and verifies too: the backup changed nothing in it.
    const [live] = await verifyAuditChains(hub.auditDir, KEY, new FileAuditWitness(hub.auditWitnessDir));
    expect(live).toMatchObject({ ok: true, records: 14 });
  });

  it("copies every worker's chain, and the copy of each verifies", async () => {
    const hub = hubFolders();
    for (const worker of [1, 2])
      await gatewayRun({ ...hub, auditDir: join(hub.auditDir, `worker-${worker}`) }, 2 + worker);
    const to = join(hub.root, 'backup');
    const { manifest, lines } = await takeBackup(hub, to);
    expect(manifest.stores.audit?.chains?.map((c) => [c.chain, c.lastSeq])).toEqual([
      ['worker-1', 3],
      ['worker-2', 4],
    ]);
    expect(lines[0]).toMatch(/^audit trail: worker-1 to record 3, worker-2 to record 4; 6 files, /);
    expect(lines[1]).toMatch(/^audit witness: 2 trail\(s\)/);
    const restored = hubFolders();
    const { exitCode, lines: restoredLines } = await restoreBackup(restored, { from: to, signingKey: KEY });
    expect(exitCode).toBe(0);
    expect(restoredLines.filter((line) => line.startsWith('audit trail OK: '))).toEqual([
      expect.stringMatching(/^audit trail OK: 3 records .* in .*\/audit\/worker-1; /),
      expect.stringMatching(/^audit trail OK: 4 records .* in .*\/audit\/worker-2; /),
    ]);
  });

  it('refuses a folder that is not empty', async () => {
    const hub = hubFolders();
    const to = join(hub.root, 'backup');
    mkdirSync(to);
    writeFileSync(join(to, 'something'), 'x');
    await expect(takeBackup(hub, to)).rejects.toThrow(/is not empty: a backup goes into a new or empty folder/);
  });
});

describe('the manifest', () => {
  async function backupOf(hub: StoreSettings & { root: string }): Promise<{ to: string; manifest: BackupManifest }> {
    await gatewayRun(hub, 4);
    await new FileSchemaRegistry(hub.schemaRegistryDir).update((state) => ({
      state: {
        ...state,
        supergraphs: [{ version: 'v1', sdl: 'type Query { a: Int }', composedAt: 'now', agencies: {} }],
        current: 'v1',
      },
      result: undefined,
    }));
    const to = join(hub.root, `backup-${readdirSync(hub.root).length}`);
    return { to, ...(await takeBackup(hub, to)) };
  }

  it('lists every file with its size and SHA-256, and each chain where it ends', async () => {
    const hub = hubFolders();
    const { to, manifest } = await backupOf(hub);
    expect(manifest).toMatchObject({
      format: 'cdo-hub-backup/1',
      createdAt: expect.any(String),
      stores: { registry: { revision: 1, current: 'v1' }, grants: { skipped: 'empty' } },
    });
    expect(manifest.files.map((f) => f.path).sort()).toEqual([
      'audit-witness/' + `${manifest.stores.audit!.chains![0]!.trailId}.jsonl`,
      'audit/audit-000000000001.jsonl',
      'audit/checkpoints.jsonl',
      'audit/trail.json',
      'registry/registry.json',
    ]);
    for (const file of manifest.files)
      expect(describeFile(join(to, file.path))).toEqual({ bytes: file.bytes, sha256: file.sha256 });
    expect(checkBackup(to).problems).toEqual([]);
  });

  it('refuses a backup changed in any way: a byte, a file removed or added, a path out of the backup', async () => {
    const hub = hubFolders();
    const { to } = await backupOf(hub);
    const record = join(to, 'audit', 'audit-000000000001.jsonl');
    const original = readFileSync(record, 'utf8');
    writeFileSync(record, original.replace('district-haidian', 'district-xicheng'));
    expect(checkBackup(to).problems).toEqual([
      "audit/audit-000000000001.jsonl: its SHA-256 differs from the manifest's",
    ]);
    writeFileSync(record, original);
    expect(checkBackup(to).problems).toEqual([]);

    writeFileSync(join(to, 'registry', 'extra.json'), '{}');
    expect(checkBackup(to).problems).toEqual(['registry/extra.json: not in the manifest']);
    rmSync(join(to, 'registry', 'extra.json'));
    rmSync(join(to, 'audit', 'trail.json'));
    expect(checkBackup(to).problems).toEqual(['audit/trail.json: missing']);

    const manifest = JSON.parse(readFileSync(join(to, MANIFEST_FILE), 'utf8')) as BackupManifest;
    manifest.files.push({ path: 'audit/../../outside', bytes: 0, sha256: '' });
    writeFileSync(join(to, MANIFEST_FILE), JSON.stringify(manifest));
    expect(checkBackup(to).problems).toContain(
      'manifest.json names "audit/../../outside", which is not a path inside a store\'s folder',
    );
    rmSync(join(to, MANIFEST_FILE));
    expect(checkBackup(to).problems).toEqual([
      expect.stringMatching(/^no manifest\.json in .*: not a backup, or one that did not finish$/),
    ]);

    // hub restore checks first and writes nothing.
    const empty = hubFolders();
    await expect(restoreBackup(empty, { from: to, signingKey: KEY })).rejects.toThrow(
      /does not match its manifest, so nothing was restored/,
    );
    expect(existsSync(empty.auditDir)).toBe(false);
  });
});

/** A grant store with one approved grant (steps 1–2) and the gateway's audit of both steps. */
function approvedGrant(storeId: string): GrantStoreState {
  const step = (seq: number, action: 'requested' | 'approved' | 'revoked', actor: string) => ({
    seq,
    at: new Date(Date.UTC(2026, 11, 4, 1, seq)).toISOString(),
    action,
    actor,
    agency: 'education',
    consumer: 'city-analytics',
    purpose: 'statistics',
    fields: ['Student.name'],
    requestId: 'REQ-2026-0001',
    ...(action === 'requested' ? {} : { grantId: 'GRANT-2026-0001' }),
    ...(action === 'revoked' ? { reason: 'study finished' } : {}),
  });
  return {
    storeId,
    revision: 2,
    requests: [
      {
        id: 'REQ-2026-0001',
        agency: 'education',
        consumer: 'city-analytics',
        fields: ['Student.name'],
        purpose: 'statistics',
        reason: 'age-grade study',
        requestedAt: step(1, 'requested', 'city-analytics').at,
        requestedBy: 'city-analytics',
        deadline: '2026-12-18',
        status: 'approved',
        decision: { by: '王丽', at: step(2, 'approved', '王丽').at, grantId: 'GRANT-2026-0001' },
      },
    ],
    grants: [
      {
        id: 'GRANT-2026-0001',
        agency: 'education',
        consumer: 'city-analytics',
        purposes: ['statistics'],
        fields: ['Student.name'],
        expires: '2027-03-31',
        approvedBy: '王丽',
        approvedAt: step(2, 'approved', '王丽').at,
        requestId: 'REQ-2026-0001',
      },
    ],
    events: [step(1, 'requested', 'city-analytics'), step(2, 'approved', '王丽')],
    attestations: [],
  };
}

/** What GrantSync writes for a step: the audit record, then the cursor. */
async function auditSteps(log: JsonlAuditLog, state: GrantStoreState, from: number): Promise<void> {
  for (const e of state.events.filter((e) => e.seq > from)) await log.append(grantStepRecord(state.storeId, e, 'p1'));
  await log.setMeta(GRANT_EVENTS_CURSOR, JSON.stringify({ storeId: state.storeId, seq: state.events.at(-1)!.seq }));
}

describe('hub restore', () => {
  it('restores a whole hub into empty folders and ends with the verification hub audit verify runs', async () => {
    const hub = hubFolders();
    const grants = approvedGrant('11111111-2222-4333-8444-555555555555');
    await new FileGrantStore(hub.grantStoreDir).update(() => ({ state: grants, result: undefined }));
    await gatewayRun(hub, 6, (log) => auditSteps(log, grants, 0));
    const to = join(hub.root, 'backup');
    await takeBackup(hub, to);

    const lost = hubFolders(); // the whole machine, restored elsewhere
    const { lines, exitCode } = await restoreBackup(lost, { from: to, signingKey: KEY });
    expect(exitCode).toBe(0);
    expect(lines).toEqual([
      expect.stringMatching(/^audit trail: restored chain to record 8; 4 files into .*\/audit$/),
      expect.stringMatching(/^audit witness: restored 1 trail file\(s\) into .*\/audit-witness$/),
      expect.stringMatching(
        /^grant store: restored revision 1 \(1 grant, 1 request, 2 steps\) into .*grants\.json as store [0-9a-f-]{36} \(was 11111111-2222-4333-8444-555555555555; 1 audit chain cursor\(s\) moved to it\)$/,
      ),
      expect.stringMatching(
        /^audit trail OK: 8 records \(last 8\), 1 signed checkpoints, in .*\/audit; trail [0-9a-f-]{36}, witnessed up to record 8 in .*\/audit-witness$/,
      ),
    ]);
    const restored = await new FileGrantStore(lost.grantStoreDir).read();
    expect(restored.grants).toEqual(grants.grants);
    expect(restored.storeId).not.toBe(grants.storeId);
    expect(JSON.parse(readFileSync(join(lost.auditDir, `${GRANT_EVENTS_CURSOR}.meta`), 'utf8'))).toEqual({
      storeId: restored.storeId,
      seq: 2,
    });

    // Again over what is now there: refused, store by store, and nothing written.
    await expect(restoreBackup(lost, { from: to, signingKey: KEY })).rejects.toThrow(
      /nothing was restored:\n {2}the audit trail \(AUDIT_DIR\) at .* is not empty[\s\S]*the audit witness \(AUDIT_WITNESS_DIR\) at .* is not empty, and a witness that survived is never replaced, not even with --replace[\s\S]*the grant store at .* is not empty/,
    );
    await expect(restoreBackup(lost, { from: to, signingKey: KEY, replace: true })).rejects.toThrow(
      /never replaced, not even with --replace/,
    );
    await expect(restoreBackup(hubFolders(), { from: to, signingKey: KEY, stores: ['witness'] })).rejects.toThrow(
      /the witness is restored only together with the trail it guards/,
    );
  });

  it('gives a grant store restored from an older backup a new id, and lists the steps the trail holds that it lacks', async () => {
    const hub = hubFolders();
    const grants = approvedGrant('11111111-2222-4333-8444-555555555555');
    const store = new FileGrantStore(hub.grantStoreDir);
    await store.update(() => ({ state: grants, result: undefined }));
    await gatewayRun(hub, 2, (log) => auditSteps(log, grants, 0));
    const to = join(hub.root, 'backup');
    await takeBackup(hub, to);
    // After the backup the CDO revokes the grant; then the grant store's disk is lost.
    const revoked: GrantStoreState = {
      ...grants,
      grants: [
        { ...grants.grants[0]!, revoked: { by: '王丽', at: '2026-12-04T01:03:00.000Z', reason: 'study finished' } },
      ],
      events: [
        ...grants.events,
        { ...grants.events[1]!, seq: 3, action: 'revoked', at: '2026-12-04T01:03:00.000Z', reason: 'study finished' },
      ],
    };
    await store.update(() => ({ state: revoked, result: undefined }));
    await gatewayRun(hub, 1, (log) => auditSteps(log, revoked, 2));
    rmSync(hub.grantStoreDir, { recursive: true });

    const { lines, exitCode } = await restoreBackup(hub, { from: to, signingKey: KEY, stores: ['grants'] });
    expect(exitCode).toBe(0);
    const restored = await store.read();
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(
          `as store ${restored.storeId} \\(was ${grants.storeId}; 1 audit chain cursor\\(s\\) moved to it\\)$`,
        ),
      ),
      'grant store: the audit trail holds 1 step(s) taken after this backup, not in the restored store; redo those still wanted:',
      '  2026-12-04T01:03:00.000Z step 3: revoked GRANT-2026-0001 (education → city-analytics) by 王丽: "study finished"',
    ]);
    expect(restored.grants[0]!.revoked).toBeUndefined(); // in force again until the revocation is redone
    // The next step is numbered in the new store: never under the number of the lost revocation.
    expect(JSON.parse(readFileSync(join(hub.auditDir, `${GRANT_EVENTS_CURSOR}.meta`), 'utf8'))).toEqual({
      storeId: restored.storeId,
      seq: 2,
    });
  });
});

describe('a grant store on Redis', () => {
  let redis: RedisTestServer;
  beforeAll(async () => {
    redis = await RedisTestServer.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('is backed up from its Redis and restored into an empty one', async () => {
    const hub = { ...hubFolders(), grantStoreRedisUrl: `${redis.url}/1` };
    const grants = approvedGrant('11111111-2222-4333-8444-555555555555');
    const source = await RedisGrantStore.open(hub.grantStoreRedisUrl);
    await source.update(() => ({ state: grants, result: undefined }));
    await source.close();
    const to = join(hub.root, 'backup');
    const { lines } = await takeBackup(hub, to);
    expect(lines[2]).toMatch(
      /^grant store: revision 1 \(1 grant, 1 request, 2 steps\) from redis:\/\/127\.0\.0\.1:\d+\/1#cdo-hub:grants:\{store\}:state \(on Redis: keep that server’s AOF\/RDB as well\)$/,
    );
    const target = { ...hub, grantStoreRedisUrl: `${redis.url}/2` };
    const restored = await restoreBackup(target, { from: to, signingKey: KEY, stores: ['grants'] });
    expect(restored.lines[0]).toMatch(/^grant store: restored revision 1 .* into redis:\/\/127\.0\.0\.1:\d+\/2#/);
    const reader = await RedisGrantStore.open(target.grantStoreRedisUrl);
    expect((await reader.read()).grants).toEqual(grants.grants);
    await reader.close();
    await expect(restoreBackup(target, { from: to, signingKey: KEY, stores: ['grants'] })).rejects.toThrow(
      /the grant store at redis:.* is not empty/,
    );
  });
});
