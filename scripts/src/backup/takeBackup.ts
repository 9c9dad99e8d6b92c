import type { Revisioned } from '@cdo-hub/gateway/stores';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { copyWholeLines, fsyncTree, replaceTextDurably, writeNewText } from './backupFiles';
import {
  BACKUP_FORMAT,
  MANIFEST_FILE,
  STORE_FOLDERS,
  type BackupManifest,
  type ManifestFile,
  type StoreRecord,
} from './backupManifest';
import { auditChainsOf, chainTails, copyAuditPhase } from './copyAuditTrail';
import {
  GRANT_STORE_SPEC,
  readDocument,
  SCHEMA_REGISTRY_SPEC,
  type DocumentStoreSpec,
  type StoreSettings,
} from './documentStores';

/** What `hub backup` did: one line per store for the operator, and the manifest it wrote. */
export interface TakenBackup {
  lines: string[];
  manifest: BackupManifest;
}

/**
 * `hub backup --to DIR`: an online, consistent copy of a hub's durable stores while it serves —
 * the audit trail (every chain, up to whole records), its witness, the grant store and the schema
 * registry — then `manifest.json` with each file's length and SHA-256 and where each chain ends.
 * The manifest is written last: a folder without one is a backup that did not finish. Stores on
 * Redis: the grant store's and registry's documents are read from there; the audit stream and a
 * Redis witness are not copied (their servers' AOF/RDB are their backup), and the lines say so.
 */
export async function takeBackup(
  settings: StoreSettings,
  to: string,
  options: {
    now?: () => Date;
    /** Called after each step of the trail's copy: tests write there as a serving gateway would. */
    afterStep?: (step: 'identity' | 'witness' | 'records') => Promise<void>;
  } = {},
): Promise<TakenBackup> {
  const now = options.now ?? (() => new Date());
  const afterStep = options.afterStep ?? (async () => undefined);
  const root = resolve(to);
  for (const store of [
    settings.auditDir,
    settings.auditWitnessDir,
    settings.grantStoreDir,
    settings.schemaRegistryDir,
  ]) {
    const inside = relative(store, root);
    if (!inside || (!inside.startsWith('..') && !isAbsolute(inside)))
      throw new Error(`${root} is inside ${store}: a backup kept in the store it copies is lost with it`);
  }
  if (existsSync(root) && readdirSync(root).length)
    throw new Error(`${root} is not empty: a backup goes into a new or empty folder`);
  mkdirSync(root, { recursive: true });
  const createdAt = now().toISOString();
  const files: ManifestFile[] = [];
  const stores: BackupManifest['stores'] = {};
  const lines: string[] = [];

  // The trail and its witness, in the order that keeps the copy verifiable (copyAuditTrail.ts).
  const auditDir = settings.auditDir;
  const auditTarget = join(root, STORE_FOLDERS.audit);
  const chains = auditChainsOf(auditDir);
  files.push(...copyAuditPhase(auditDir, chains, 'identity', auditTarget, root));
  await afterStep('identity');
  const witness = copyWitness(settings, root);
  files.push(...witness.files);
  await afterStep('witness');
  files.push(...copyAuditPhase(auditDir, chains, 'records', auditTarget, root));
  await afterStep('records');
  files.push(...copyAuditPhase(auditDir, chains, 'rest', auditTarget, root));
  const streamNote = settings.auditRedisUrl
    ? ' — the archive of the Redis Stream (AUDIT_REDIS_URL): records not yet archived are not in it; run hub audit archive first, and keep that Redis’s AOF/RDB'
    : '';
  const auditFiles = files.filter((f) => f.path.startsWith(`${STORE_FOLDERS.audit}/`));
  if (auditFiles.length) {
    const tails = chainTails(auditTarget);
    stores.audit = { source: auditDir, chains: tails };
    lines.push(
      `audit trail: ${tails.map((t) => `${t.chain === '.' ? 'chain' : t.chain} to record ${t.lastSeq}`).join(', ')}; ${auditFiles.length} files, ${size(auditFiles)} from ${auditDir}${streamNote}`,
    );
  } else {
    stores.audit = { source: auditDir, skipped: 'no trail there' };
    lines.push(`audit trail: nothing to copy (no trail in ${auditDir})${streamNote}`);
  }
  stores.witness = witness.record;
  lines.push(witness.line);

  for (const copied of [
    await copyDocument(GRANT_STORE_SPEC, settings, root),
    await copyDocument(SCHEMA_REGISTRY_SPEC, settings, root),
  ]) {
    stores[copied.store] = copied.record;
    files.push(...copied.files);
    lines.push(copied.line);
  }

  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    createdAt,
    finishedAt: now().toISOString(),
    host: hostname(),
    stores,
    files,
  };
  fsyncTree(root);
  replaceTextDurably(join(root, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  return { lines, manifest };
}

/** The witness folder, every trail's file up to whole entries; a Redis witness is not copied. */
function copyWitness(
  settings: StoreSettings,
  root: string,
): { files: ManifestFile[]; record: StoreRecord; line: string } {
  if (settings.auditWitnessRedisUrl) {
    const skipped =
      'on Redis (AUDIT_WITNESS_REDIS_URL): not copied; that server’s AOF/RDB is its backup, kept apart from the trail’s';
    return {
      files: [],
      record: { source: 'AUDIT_WITNESS_REDIS_URL', skipped },
      line: `audit witness: ${skipped}`,
    };
  }
  const dir = settings.auditWitnessDir;
  const trails = existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.jsonl')) : [];
  if (!trails.length)
    return {
      files: [],
      record: { source: dir, skipped: 'no witness there' },
      line: `audit witness: nothing to copy (no witness in ${dir})`,
    };
  const files = trails.sort().map((name) => {
    const to = join(root, STORE_FOLDERS.witness, name);
    return { path: relative(root, to).split('\\').join('/'), ...copyWholeLines(join(dir, name), to) };
  });
  return {
    files,
    record: { source: dir, trails: trails.map((name) => name.slice(0, -'.jsonl'.length)) },
    line: `audit witness: ${trails.length} trail(s), ${size(files)} from ${dir}`,
  };
}

/** The grant store's or the registry's document, validated, from its folder or its Redis. */
async function copyDocument<S extends Revisioned>(
  spec: DocumentStoreSpec<S>,
  settings: StoreSettings,
  root: string,
): Promise<{ store: DocumentStoreSpec<S>['store']; files: ManifestFile[]; record: StoreRecord; line: string }> {
  const { state, location } = await readDocument(spec, settings);
  const redisNote = spec.onRedis(settings) ? ' (on Redis: keep that server’s AOF/RDB as well)' : '';
  if (!state)
    return {
      store: spec.store,
      files: [],
      record: { source: location, skipped: 'empty' },
      line: `${spec.label}: nothing to copy (empty at ${location})`,
    };
  const to = join(root, STORE_FOLDERS[spec.store], spec.kind.file);
  const file = {
    path: relative(root, to).split('\\').join('/'),
    ...writeNewText(to, JSON.stringify(state, null, 2) + '\n'),
  };
  return {
    store: spec.store,
    files: [file],
    record: { source: location, revision: state.revision, ...spec.identify(state) },
    line: `${spec.label}: ${spec.describe(state)} from ${location}${redisNote}`,
  };
}

function size(files: readonly ManifestFile[]): string {
  const bytes = files.reduce((sum, file) => sum + file.bytes, 0);
  return bytes < 1024
    ? `${bytes} bytes`
    : bytes < 2 ** 20
      ? `${(bytes / 1024).toFixed(1)} KB`
      : `${(bytes / 2 ** 20).toFixed(1)} MB`;
}
