import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeFile, filesUnder } from './backupFiles';
import { STORE_NAMES, type StoreName } from './storeNames';

/** The version of the backup layout; a restore refuses any other. */
export const BACKUP_FORMAT = 'cdo-hub-backup/1';
export const MANIFEST_FILE = 'manifest.json';

export { STORE_NAMES, type StoreName } from './storeNames';

/** Where each store's files go inside a backup. */
export const STORE_FOLDERS: Record<StoreName, string> = {
  audit: 'audit',
  witness: 'audit-witness',
  grants: 'grants',
  registry: 'registry',
};

export interface ManifestFile {
  /** Relative to the backup folder, `/`-separated, inside one store's folder. */
  path: string;
  bytes: number;
  sha256: string;
}

/** Where one audit chain stood in the copy: what a restore of it brings back. */
export interface ChainTail {
  /** The chain's folder inside the audit folder: `.` for a one-process gateway's, `worker-N`. */
  chain: string;
  trailId?: string;
  lastSeq: number;
  lastHash: string;
}

/** What the backup holds of one store; `skipped` says why a store has no files here. */
export interface StoreRecord {
  /** Where it was read: a folder, a file, or a redacted Redis URL. */
  source: string;
  skipped?: string;
  chains?: ChainTail[];
  trails?: string[];
  revision?: number;
  storeId?: string;
  current?: string;
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  /** When the copy started and ended: nothing written after `finishedAt` is in it. */
  createdAt: string;
  finishedAt: string;
  host: string;
  stores: Partial<Record<StoreName, StoreRecord>>;
  files: ManifestFile[];
}

/** The stores a backup holds files of (those not skipped). */
export function storesIn(manifest: BackupManifest): StoreName[] {
  return STORE_NAMES.filter((name) => manifest.stores[name] && !manifest.stores[name]!.skipped);
}

/**
 * Checks a backup folder against its manifest before anything is restored: every file listed is
 * there with its length and SHA-256, no file is there that the manifest does not list, and every
 * path stays inside a store's folder. A backup changed in any of these ways is refused whole.
 * (The hashes catch damage and edits; the trail's own chain, checkpoints and witness are what
 * catch a forged trail, and they are verified after the restore.)
 */
export function checkBackup(dir: string): { manifest?: BackupManifest; problems: string[] } {
  const manifestPath = join(dir, MANIFEST_FILE);
  if (!existsSync(manifestPath))
    return { problems: [`no ${MANIFEST_FILE} in ${dir}: not a backup, or one that did not finish`] };
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as BackupManifest;
  } catch {
    return { problems: [`${MANIFEST_FILE} is not JSON`] };
  }
  if (manifest?.format !== BACKUP_FORMAT)
    return {
      problems: [`${MANIFEST_FILE} is not a ${BACKUP_FORMAT} manifest (format ${JSON.stringify(manifest?.format)})`],
    };
  if (!Array.isArray(manifest.files) || typeof manifest.stores !== 'object' || manifest.stores === null)
    return { problems: [`${MANIFEST_FILE} lists no files or no stores`] };
  const problems: string[] = [];
  const listed = new Set<string>();
  for (const file of manifest.files) {
    const path = file?.path;
    if (!safePath(path)) {
      problems.push(`${MANIFEST_FILE} names ${JSON.stringify(path)}, which is not a path inside a store's folder`);
      continue;
    }
    listed.add(path);
    if (!existsSync(join(dir, path))) {
      problems.push(`${path}: missing`);
      continue;
    }
    const found = describeFile(join(dir, path));
    if (found.bytes !== file.bytes) problems.push(`${path}: ${found.bytes} bytes, the manifest says ${file.bytes}`);
    else if (found.sha256 !== file.sha256) problems.push(`${path}: its SHA-256 differs from the manifest's`);
  }
  for (const path of filesUnder(dir))
    if (path !== MANIFEST_FILE && !listed.has(path)) problems.push(`${path}: not in the manifest`);
  return { manifest, problems };
}

/** A relative path inside one of the stores' folders: no `..`, no absolute path, no empty part. */
function safePath(path: unknown): path is string {
  if (typeof path !== 'string') return false;
  const parts = path.split('/');
  return (
    parts.length >= 2 &&
    Object.values(STORE_FOLDERS).includes(parts[0]!) &&
    parts.every((part) => part !== '' && part !== '.' && part !== '..' && !part.includes('\\') && !part.includes('\0'))
  );
}
