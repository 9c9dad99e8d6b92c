import type { GrantStoreState } from '@cdo-hub/gateway/grants';
import type { Revisioned } from '@cdo-hub/gateway/stores';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { auditVerify } from '../audit/auditCommands';
import { copyWhole, fsyncTree } from './backupFiles';
import { checkBackup, STORE_FOLDERS, storesIn, type BackupManifest, type StoreName } from './backupManifest';
import {
  GRANT_STORE_SPEC,
  readDocument,
  SCHEMA_REGISTRY_SPEC,
  type DocumentStoreSpec,
  type StoreSettings,
} from './documentStores';
import { formatLaterStep, moveGrantCursors, renumberRestoredStore, stepsAfter } from './restoreGrantStore';

export interface RestoreOptions {
  from: string;
  /** The stores to restore (default: every store the backup holds). */
  stores?: readonly StoreName[];
  /** Move a store that is not empty aside and restore over it (never the witness). */
  replace?: boolean;
  /** The checkpoint key, for the verification that ends the restore. */
  signingKey: string;
  now?: Date;
}

/** The anchor of the operations guide that says what to do when a restored trail is refused. */
export const LOST_TRAIL_GUIDE = 'docs/operations/backup-restore.md#when-the-trail-or-its-witness-is-lost';

/**
 * `hub restore --from DIR`: the backup is checked against its manifest first (a changed backup is
 * refused whole), then every chosen store's target must be empty (or, with `--replace`, is moved
 * aside), then the files go back, and the restore ends with `hub audit verify`'s own check of
 * what is now in AUDIT_DIR against the configured witness. Its exit code is verify's.
 *
 * The witness is never written over one that survived, and is restored only with the trail it
 * guards: an older witness beside a newer trail, or the backup's witness beside the backup's trail
 * when the live witness still says how far the trail had reached, would hide the loss.
 */
export async function restoreBackup(
  settings: StoreSettings,
  options: RestoreOptions,
): Promise<{ lines: string[]; exitCode: number }> {
  const from = resolve(options.from);
  const { manifest, problems } = checkBackup(from);
  if (!manifest || problems.length)
    throw new Error(
      `the backup in ${from} does not match its manifest, so nothing was restored:\n  ${problems.join('\n  ')}`,
    );
  const held = storesIn(manifest);
  const chosen = options.stores ?? held;
  const stamp = (options.now ?? new Date()).toISOString().replace(/[:.]/g, '-');
  const refusals = [
    ...chosen.flatMap((store) =>
      held.includes(store)
        ? []
        : [`the backup holds no ${store} (${manifest.stores[store]?.skipped ?? 'not in this backup'})`],
    ),
    ...(await targetRefusals(settings, chosen, options.replace ?? false)),
  ];
  if (refusals.length) throw new Error(`nothing was restored:\n  ${refusals.join('\n  ')}`);

  const lines: string[] = [];
  if (chosen.includes('audit')) lines.push(restoreFolder(from, manifest, 'audit', settings.auditDir, options, stamp));
  if (chosen.includes('witness'))
    lines.push(restoreFolder(from, manifest, 'witness', settings.auditWitnessDir, options, stamp));
  if (chosen.includes('registry')) {
    const state = readBackupDocument(from, SCHEMA_REGISTRY_SPEC);
    const location = await writeDocument(SCHEMA_REGISTRY_SPEC, settings, state, stamp);
    lines.push(`schema registry: restored ${SCHEMA_REGISTRY_SPEC.describe(state)} into ${location}`);
  }
  if (chosen.includes('grants')) lines.push(...(await restoreGrants(from, settings, stamp)));

  if (!chosen.includes('audit') && !chosen.includes('witness')) return { lines, exitCode: 0 };
  const verified = await auditVerify(settings, options.signingKey);
  lines.push(...verified.lines);
  if (verified.exitCode !== 0)
    lines.push(
      `restore: the restored trail does not verify (above). Where its witness vouches for records the backup lacks, they were written after the backup and are lost: gateways refuse the trail until an operator runs hub audit adopt --reason "<why>" (${LOST_TRAIL_GUIDE})`,
    );
  return { lines, exitCode: verified.exitCode };
}

/** Why a store cannot be restored where the configuration puts it. */
async function targetRefusals(settings: StoreSettings, chosen: readonly StoreName[], replace: boolean) {
  const refusals: string[] = [];
  const notEmpty = (what: string, where: string) =>
    `${what} at ${where} is not empty: a restore never mixes a backup into a live store; move it aside, or pass --replace to have it moved aside`;
  if (chosen.includes('audit') && !replace && holdsFiles(settings.auditDir))
    refusals.push(notEmpty('the audit trail (AUDIT_DIR)', settings.auditDir));
  if (chosen.includes('witness')) {
    if (!chosen.includes('audit'))
      refusals.push(
        'the witness is restored only together with the trail it guards (--stores audit,witness): an older witness beside a newer trail makes that trail fail verification for good; if only the witness was lost, run hub audit adopt instead',
      );
    if (settings.auditWitnessRedisUrl)
      refusals.push(
        'the witness is configured on Redis (AUDIT_WITNESS_REDIS_URL): this backup holds a witness folder; restore that Redis from its own AOF/RDB, or leave the witness out (--stores)',
      );
    else if (holdsFiles(settings.auditWitnessDir))
      refusals.push(
        `the audit witness (AUDIT_WITNESS_DIR) at ${settings.auditWitnessDir} is not empty, and a witness that survived is never replaced, not even with --replace: it is what shows the records written after the backup and lost since. Leave it out (--stores without witness) and restore the rest`,
      );
  }
  const documentRefusal = async <S extends Revisioned>(spec: DocumentStoreSpec<S>): Promise<string[]> => {
    if (!chosen.includes(spec.store)) return [];
    try {
      const { state, location } = await readDocument(spec, settings);
      return state && !replace ? [notEmpty(`the ${spec.label}`, location)] : [];
    } catch (error) {
      return [`the ${spec.label} cannot be read (${(error as Error).message}): move it aside first`];
    }
  };
  refusals.push(...(await documentRefusal(GRANT_STORE_SPEC)), ...(await documentRefusal(SCHEMA_REGISTRY_SPEC)));
  return refusals;
}

/** A folder holding anything but what a fresh file system puts there. */
function holdsFiles(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).some((name) => name !== 'lost+found');
}

/** Copies one store's folder of the backup into its configured folder (moved aside first if `--replace`). */
function restoreFolder(
  from: string,
  manifest: BackupManifest,
  store: 'audit' | 'witness',
  target: string,
  options: RestoreOptions,
  stamp: string,
): string {
  let aside = '';
  if (holdsFiles(target)) {
    // Only the audit folder gets here (targetRefusals): with --replace, kept beside it, not deleted.
    const moved = `${target}.before-restore-${stamp}`;
    renameSync(target, moved);
    aside = `; what was there is now in ${moved}`;
  }
  const prefix = `${STORE_FOLDERS[store]}/`;
  const files = manifest.files.filter((file) => file.path.startsWith(prefix));
  for (const file of files) copyWhole(join(from, file.path), join(target, file.path.slice(prefix.length)));
  if (existsSync(target)) fsyncTree(target);
  if (store === 'witness') return `audit witness: restored ${files.length} trail file(s) into ${target}${aside}`;
  const chains = manifest.stores.audit?.chains ?? [];
  return `audit trail: restored ${chains.map((c) => `${c.chain === '.' ? 'chain' : c.chain} to record ${c.lastSeq}`).join(', ')}; ${files.length} files into ${target}${aside}`;
}

function readBackupDocument<S extends Revisioned>(from: string, spec: DocumentStoreSpec<S>): S {
  const path = join(from, STORE_FOLDERS[spec.store], spec.kind.file);
  return spec.kind.parse(JSON.parse(readFileSync(path, 'utf8')), path);
}

/**
 * Writes a document into its store, atomically, through the store itself (its lock, or its Redis
 * transaction), so gateways following it see the change. A document already there (`--replace`)
 * is saved first beside its file, or for a Redis store in the current folder.
 */
async function writeDocument<S extends Revisioned>(
  spec: DocumentStoreSpec<S>,
  settings: StoreSettings,
  state: S,
  stamp: string,
): Promise<string> {
  const store = await spec.open(settings);
  try {
    await store.update((current) => {
      if (current.revision !== 0) {
        const saved = spec.onRedis(settings)
          ? join(process.cwd(), `${spec.kind.file}.before-restore-${stamp}`)
          : join(dirname(store.location), `${basename(store.location)}.before-restore-${stamp}`);
        writeFileSync(saved, JSON.stringify(current, null, 2) + '\n', { flag: 'wx' });
      }
      return { state, result: undefined };
    });
    return store.location;
  } finally {
    await store.close();
  }
}

/** The grant store, under a new id (restoreGrantStore.ts), and the steps the trail holds that it lacks. */
async function restoreGrants(from: string, settings: StoreSettings, stamp: string): Promise<string[]> {
  const backedUp = readBackupDocument<GrantStoreState>(from, GRANT_STORE_SPEC);
  const { restored, lastStep } = renumberRestoredStore(backedUp);
  const location = await writeDocument(GRANT_STORE_SPEC, settings, restored, stamp);
  const moved = moveGrantCursors(settings.auditDir, backedUp.storeId, restored.storeId, lastStep);
  const later = await stepsAfter(settings.auditDir, backedUp.storeId, lastStep);
  return [
    `grant store: restored ${GRANT_STORE_SPEC.describe(backedUp)} into ${location} as store ${restored.storeId} (was ${backedUp.storeId}; ${moved} audit chain cursor(s) moved to it)`,
    ...(later.length
      ? [
          `grant store: the audit trail holds ${later.length} step(s) taken after this backup, not in the restored store; redo those still wanted:`,
          ...later.map(formatLaterStep),
        ]
      : []),
  ];
}
