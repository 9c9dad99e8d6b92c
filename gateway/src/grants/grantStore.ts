import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unwatchFile, watch, watchFile, writeSync, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { lock } from 'proper-lockfile';
import { grantStoreStateSchema, type GrantStoreState } from './model';

/**
 * Where approved grants and pending requests live, outside the committed policy files, shared by
 * the CLI, the admin API and every gateway that watches it.
 */
export interface GrantStore {
  /** Human-readable location, for messages. */
  readonly location: string;
  read(): Promise<GrantStoreState>;
  /**
   * Applies a change atomically under the store's lock: `change` sees the latest state and
   * returns the next one (or throws to abort, leaving the store unchanged).
   */
  update<T>(change: (state: GrantStoreState) => { state: GrantStoreState; result: T }): Promise<T>;
  /** Calls `listener` after the store changed (by this process or another). */
  watch(listener: (state: GrantStoreState) => void): () => void;
  close(): Promise<void>;
}

export const GRANT_STORE_FILE = 'grants.json';

/** Validates a stored state; a malformed store is an error, never an empty one. */
export function parseGrantStoreState(value: unknown, location: string): GrantStoreState {
  const parsed = grantStoreStateSchema.safeParse(value);
  if (!parsed.success) throw new Error(`grant store ${location} is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export function emptyGrantStore(): GrantStoreState {
  return { storeId: randomUUID(), revision: 0, requests: [], grants: [], events: [] };
}

/**
 * The embedded grant store: one JSON file, replaced atomically (write a temporary file, fsync,
 * rename, fsync the folder) under an inter-process lock (`proper-lockfile`), so concurrent CLI
 * runs and gateways never lose an update or read half a file.
 */
export class FileGrantStore implements GrantStore {
  readonly file: string;

  constructor(readonly dir: string) {
    this.file = join(dir, GRANT_STORE_FILE);
  }

  get location(): string {
    return this.file;
  }

  async read(): Promise<GrantStoreState> {
    return this.readNow();
  }

  private readNow(): GrantStoreState {
    if (!existsSync(this.file)) return emptyGrantStore();
    const text = readFileSync(this.file, 'utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new Error(`grant store ${this.file} is not valid JSON: ${(error as Error).message}`);
    }
    return parseGrantStoreState(value, this.file);
  }

  async update<T>(change: (state: GrantStoreState) => { state: GrantStoreState; result: T }): Promise<T> {
    mkdirSync(this.dir, { recursive: true });
    const release = await lock(this.dir, { lockfilePath: join(this.dir, '.grants.lock'), retries: { retries: 50, minTimeout: 20, maxTimeout: 200 }, stale: 10_000 });
    try {
      const current = this.readNow();
      const { state, result } = change(current);
      if (state !== current) this.write({ ...state, revision: current.revision + 1 });
      return result;
    } finally {
      await release();
    }
  }

  watch(listener: (state: GrantStoreState) => void): () => void {
    mkdirSync(this.dir, { recursive: true });
    let last = existsSync(this.file) ? statSync(this.file).mtimeMs : 0;
    let timer: NodeJS.Timeout | undefined;
    const check = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const mtime = existsSync(this.file) ? statSync(this.file).mtimeMs : 0;
        if (mtime === last) return;
        last = mtime;
        try {
          listener(this.readNow());
        } catch {
          // A store that does not parse is left as it is; the last good state stays in force.
        }
      }, 50);
    };
    // inotify for speed; a slow poll as well, for file systems where events are lost.
    const watcher: FSWatcher = watch(this.dir, (_, name) => (name === GRANT_STORE_FILE || name === null) && check());
    watchFile(this.file, { interval: 1000 }, check);
    return () => {
      clearTimeout(timer);
      watcher.close();
      unwatchFile(this.file, check);
    };
  }

  async close(): Promise<void> {}

  private write(state: GrantStoreState): void {
    const temporary = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(temporary, 'w');
    try {
      writeSync(fd, JSON.stringify(state, null, 2) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.file);
    const dirFd = openSync(this.dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  }
}

