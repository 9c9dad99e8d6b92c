import { repoRoot } from '@cdo-hub/subgraph-kit';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hubCli, hubCliOk } from '../harness/hubCli';
import { agencyDatabase, as, gatewayReadiness, HubProcess } from '../harness/hubProcess';
import { until } from '../harness/until';

// An operator backs up a hub while it serves, loses the machine, restores, and the hub serves the
// same grants and the same schema with a trail that verifies. Then the trail's disk alone is lost:
// the backup's trail is restored beside the witness that survived, which knows the records written
// since — the gateway refuses it, and `hub audit adopt` is the way on, recorded and reported.

const dataDir = mkdtempSync(join(tmpdir(), 'backup-restore-e2e-'));
const scratch = mkdtempSync(join(tmpdir(), 'backup-restore-scratch-'));
const backupDir = join(scratch, 'nightly');
const stores = ['audit', 'audit-witness', 'grants', 'registry'];
/** The settings an operator's shell has on the hub's machine. */
const env: NodeJS.ProcessEnv = { HUB_DATA_DIR: dataDir, SCHEMA_REGISTRY_DIR: join(dataDir, 'registry') };

afterAll(() => {
  for (const dir of [dataDir, scratch]) rmSync(dir, { recursive: true, force: true });
});

const SCHOOLS = '{ schools(first: 1) { nodes { name } } }';
const TEACHERS = '{ schools(first: 2) { nodes { code teachers(first: 2) { nodes { name } } } } }';
async function teacherNames(hub: HubProcess): Promise<unknown[]> {
  const { body } = await hub.query(TEACHERS, {}, await as('city-analytics', 'statistics'));
  return (body.data?.schools?.nodes ?? []).flatMap(
    (school: { teachers: { nodes: { name: unknown }[] } | null }) =>
      school.teachers?.nodes.map((t) => t.name) ?? [null],
  );
}
const released = (names: unknown[]) => names.length > 0 && names.every((name) => typeof name === 'string');
const servedSupergraph = async (hub: HubProcess) =>
  (await gatewayReadiness<{ supergraph: { version?: string } }>(hub.gatewayUrl)).body.supergraph.version;
const lastSeq = (auditDir: string) => {
  const file = readdirSync(auditDir)
    .filter((f) => /^audit-\d+\.jsonl$/.test(f))
    .sort()
    .at(-1)!;
  return (JSON.parse(readFileSync(join(auditDir, file), 'utf8').trimEnd().split('\n').at(-1)!) as { seq: number }).seq;
};
const startHub = () => HubProcess.start({ dataDir, env: { AUDIT_CHECKPOINT_INTERVAL_MS: '200' } });

let grantedSupergraph: string;
let backedUpTo: number;

it('backs up a serving hub; after the machine is lost, hub restore brings back a trail that verifies, the grants and the schema', async () => {
  let hub = await startHub();
  try {
    // A grant the CDO approved, and a schema version published: what the restore must bring back.
    expect(released(await teacherNames(hub))).toBe(false);
    const { stdout: filed } = await hubCliOk(
      [
        ...['grant', 'request', '--consumer', 'city-analytics', '--fields', 'School.teachers,Teacher.name'],
        ...['--purpose', 'statistics', '--reason', 'teacher workload study', '--until', '2027-12-31'],
      ],
      env,
    );
    await hubCliOk(['grant', 'approve', filed.match(/REQ-\d{4}-\d{4}/)![0], '--by', 'education CDO'], env);
    await until(async () => released(await teacherNames(hub)), 10_000, 50, { what: 'the grant to be in force' });
    const motto = join(scratch, 'education-motto.graphql');
    const sdl = readFileSync(join(repoRoot(), 'subgraphs', 'education', 'schema.graphql'), 'utf8');
    writeFileSync(
      motto,
      sdl.replace('  address: String!\n', '  address: String!\n  "The school\'s motto."\n  motto: String\n'),
    );
    const published = await hubCliOk(
      [
        ...['schema', 'publish', '--agency', 'education', '--sdl', motto, '--reason', 'mottos'],
        ...['--author', 'education CDO', '--before-deploy'],
      ],
      { ...env, EDUCATION_PORT: String(hub.ports.education) },
    );
    grantedSupergraph = published.stdout.match(/gateways now serve supergraph ([0-9a-f]{16})/)![1]!;
    await until(async () => (await servedSupergraph(hub)) === grantedSupergraph, 15_000, 50, {
      what: 'the published schema to be served',
    });

    // Requests keep coming while the backup is taken.
    let stop = false;
    let answered = 0;
    const failures: string[] = [];
    const headers = await as('district-haidian', 'enrollment-planning');
    const load = Array.from({ length: 4 }, async () => {
      while (!stop) {
        const { status, body } = await hub.query(SCHOOLS, {}, headers);
        if (status !== 200 || body.errors) failures.push(`${status} ${JSON.stringify(body.errors)}`);
        answered++;
      }
    });
    await until(() => answered >= 20, 30_000, 20, { what: 'the load to be running' });
    const before = answered;
    const backup = await hubCli(['backup', '--to', backupDir], env);
    const during = answered - before;
    stop = true;
    await Promise.all(load);
    expect(backup).toMatchObject({ code: 0, stderr: '' });
    expect(backup.stdout.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(new RegExp(`^audit trail: chain to record \\d+; \\d+ files, .* from ${dataDir}/audit$`)),
      expect.stringMatching(new RegExp(`^audit witness: 1 trail\\(s\\), .* from ${dataDir}/audit-witness$`)),
      expect.stringMatching(
        new RegExp(
          `^grant store: revision \\d+ \\(1 grant, 1 request, 2 steps\\) from ${dataDir}/grants/grants\\.json$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^schema registry: revision \\d+, serving supergraph ${grantedSupergraph} \\(4 schema versions\\) from ${dataDir}/registry/registry\\.json$`,
        ),
      ),
    ]);
    expect(during).toBeGreaterThan(0);
    expect(failures).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8'));
    backedUpTo = manifest.stores.audit.chains[0].lastSeq;
    expect(backedUpTo).toBeGreaterThan(20);
    expect(manifest.files.find((f: { path: string }) => f.path === 'grants/grants.json')).toMatchObject({
      bytes: expect.any(Number),
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  } finally {
    expect(await hub.stop()).toBe(0);
  }
  expect(lastSeq(join(dataDir, 'audit'))).toBeGreaterThan(backedUpTo); // the hub went on after the copy

  // The machine is lost: every durable store (the agencies' databases are the agencies' own).
  for (const store of stores) rmSync(join(dataDir, store), { recursive: true, force: true });
  const restored = await hubCli(['restore', '--from', backupDir], env);
  expect(restored).toMatchObject({ code: 0, stderr: '' });
  expect(restored.stdout).toMatch(
    new RegExp(`^audit trail: restored chain to record ${backedUpTo}; \\d+ files into ${dataDir}/audit\n`),
  );
  expect(restored.stdout).toMatch(
    /\ngrant store: restored revision \d+ \(1 grant, 1 request, 2 steps\) .* as store [0-9a-f-]{36} /,
  );
  expect(restored.stdout).toMatch(
    new RegExp(`\\nschema registry: restored .*serving supergraph ${grantedSupergraph} `),
  );
  expect(restored.stdout).toMatch(new RegExp(`\\naudit trail OK: ${backedUpTo} records \\(last ${backedUpTo}\\).*\n$`));
  expect(await hubCli(['audit', 'verify'], env)).toMatchObject({ code: 0, stderr: '' });
  // The subject index is not backed up: built from the restored trail, it finds the school read before the backup.
  const db = agencyDatabase(dataDir, 'education');
  const first = db.get<{ uscc: string }>('SELECT uscc FROM schools ORDER BY code LIMIT 1')!;
  db.close();
  const subject = await hubCliOk(['audit', 'subject', '--agency', 'education', '--id', first.uscc, '--json'], env);
  expect((JSON.parse(subject.stdout) as { consumer: string }[]).length).toBeGreaterThan(0);

  hub = await startHub();
  try {
    expect(released(await teacherNames(hub))).toBe(true);
    expect(await servedSupergraph(hub)).toBe(grantedSupergraph);
    for (let i = 0; i < 5; i++)
      expect((await hub.query(SCHOOLS, {}, await as('district-haidian', 'enrollment-planning'))).status).toBe(200);
  } finally {
    expect(await hub.stop()).toBe(0);
  }
  expect(await hubCli(['audit', 'verify'], env)).toMatchObject({ code: 0 });
}, 300_000);

it('the trail’s disk lost alone: the backup’s trail beside the surviving witness is refused, and hub audit adopt records the loss', async () => {
  const witnessedTo = lastSeq(join(dataDir, 'audit'));
  expect(witnessedTo).toBeGreaterThan(backedUpTo);
  rmSync(join(dataDir, 'audit'), { recursive: true });

  // Everything at once is refused: the witness survived, and so did the grants and the registry.
  const everything = await hubCli(['restore', '--from', backupDir], env);
  expect(everything.code).toBe(1);
  expect(everything.stderr).toMatch(/nothing was restored:[\s\S]*a witness that survived is never replaced/);
  expect(everything.stderr).toMatch(/the grant store at .* is not empty/);
  expect(existsSync(join(dataDir, 'audit'))).toBe(false);

  const trailOnly = await hubCli(['restore', '--from', backupDir, '--stores', 'audit'], env);
  expect(trailOnly.code).toBe(1);
  expect(trailOnly.stdout).toMatch(new RegExp(`^audit trail: restored chain to record ${backedUpTo};`));
  expect(trailOnly.stdout).toMatch(
    new RegExp(
      `the trail ends at record ${backedUpTo}, but its witness vouches for record ${witnessedTo} .*cut from the tail\n`,
    ),
  );
  expect(trailOnly.stdout).toMatch(/\nrestore: the restored trail does not verify .*hub audit adopt --reason/);

  const refused = await startHub().then(
    async (hub) => {
      await hub.stop();
      return 'started';
    },
    (error: Error) => error.message,
  );
  expect(refused).toMatch(
    new RegExp(
      `ends at record ${backedUpTo}, but its witness at .* vouches for record ${witnessedTo} .*: records ${backedUpTo + 1}–${witnessedTo} are missing — cut, or lost with a disk and the trail restored from an older backup`,
    ),
  );

  const adopted = await hubCli(
    ['audit', 'adopt', '--reason', 'INC-12: audit disk lost, restored from the nightly backup', '--by', 'ops-li'],
    env,
  );
  expect(adopted).toMatchObject({ code: 0, stderr: '' });
  const verified = await hubCli(['audit', 'verify'], env);
  expect(verified.code).toBe(0);
  expect(verified.stdout).toMatch(
    new RegExp(
      `warning: trail [0-9a-f-]{36} was adopted at record ${backedUpTo} on .* by "ops-li", replacing trail [0-9a-f-]{36}: "INC-12: audit disk lost, restored from the nightly backup" — .*; records ${backedUpTo + 1}–${witnessedTo} of trail [0-9a-f-]{36}, vouched for by its witness, are lost`,
    ),
  );

  const hub = await startHub();
  try {
    expect((await hub.query(SCHOOLS, {}, await as('district-haidian', 'enrollment-planning'))).status).toBe(200);
  } finally {
    expect(await hub.stop()).toBe(0);
  }
  expect(await hubCli(['audit', 'verify'], env)).toMatchObject({ code: 0 });
}, 300_000);

it('refuses a backup changed after it was taken, before writing anything', async () => {
  const tampered = join(scratch, 'tampered');
  cpSync(backupDir, tampered, { recursive: true });
  const grants = join(tampered, 'grants', 'grants.json');
  writeFileSync(grants, readFileSync(grants, 'utf8').replace('"2027-12-31"', '"2099-12-31"'));
  const target = join(scratch, 'elsewhere');
  const result = await hubCli(['restore', '--from', tampered], {
    AUDIT_DIR: join(target, 'audit'),
    AUDIT_WITNESS_DIR: join(target, 'audit-witness'),
    GRANT_STORE_DIR: join(target, 'grants'),
    SCHEMA_REGISTRY_DIR: join(target, 'registry'),
  });
  expect(result).toMatchObject({ code: 1, stdout: '' });
  expect(result.stderr).toMatch(
    /^hub: the backup in .*tampered does not match its manifest, so nothing was restored:\n {2}grants\/grants\.json: its SHA-256 differs from the manifest's\n$/,
  );
  expect(existsSync(target)).toBe(false);
}, 60_000);
