import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unwatchFile,
  watch,
  watchFile,
  writeSync,
  type FSWatcher,
} from 'node:fs';
import { join } from 'node:path';
import { lock } from 'proper-lockfile';

/** A stored state always carries a revision: every committed change adds one. */
export interface Revisioned {
  revision: number;
}

/**
 * One JSON document shared by the CLI, the admin API and every gateway — the grant store and the
 * schema registry are both one — changed atomically, watched for changes made by others.
 */
export interface DocumentStore<S extends Revisioned> {
  /** Human-readable location, for messages. */
  readonly location: string;
  read(): Promise<S>;
  /**
   * Applies a change atomically: `change` sees the latest state and returns the next one (the
   * same object when nothing changes), or throws to abort, leaving the store unchanged.
   */
  update<T>(change: (state: S) => { state: S; result: T }): Promise<T>;
  /** Calls `listener` after the store changed (by this process or another). */
  watch(listener: (state: S) => void): () => void;
  close(): Promise<void>;
}

/** What a kind of document is: its names on disk and on Redis, how it is checked, how it starts. */
export interface DocumentKind<S extends Revisioned> {
  /** For messages: `grant store`, `schema registry`. */
  name: string;
  /** The file in the store's folder, and its inter-process lock file beside it. */
  file: string;
  lockFile: string;
  /** The Redis key of the state and the channel announcing changes. */
  redisKey: string;
  redisChannel: string;
  /** Validates a stored value; a malformed store is an error, never an empty one. */
  parse(value: unknown, location: string): S;
  empty(): S;
}

/**
 * The embedded store: one JSON file, replaced atomically (write a temporary file, fsync, rename,
 * fsync the folder) under an inter-process lock (`proper-lockfile`), so concurrent CLI runs and
 * gateways never lose an update or read half a file. Watched by inotify and a slow poll.
 */
export class FileDocumentStore<S extends Revisioned> implements DocumentStore<S> {
  readonly file: string;

  constructor(
    readonly dir: string,
    private readonly kind: DocumentKind<S>,
  ) {
    this.file = join(dir, kind.file);
  }

  get location(): string {
    return this.file;
  }

  async read(): Promise<S> {
    return this.readNow();
  }

  private readNow(): S {
    if (!existsSync(this.file)) return this.kind.empty();
    const text = readFileSync(this.file, 'utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new Error(`${this.kind.name} ${this.file} is not valid JSON: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return this.kind.parse(value, this.file);
  }

  async update<T>(change: (state: S) => { state: S; result: T }): Promise<T> {
    mkdirSync(this.dir, { recursive: true });
    const release = await lock(this.dir, {
      lockfilePath: join(this.dir, this.kind.lockFile),
      retries: { retries: 50, minTimeout: 20, maxTimeout: 200 },
      stale: 10_000,
    });
    try {
      const current = this.readNow();
      const { state, result } = change(current);
      if (state !== current) this.write({ ...state, revision: current.revision + 1 });
      return result;
    } finally {
      await release();
    }
  }

  watch(listener: (state: S) => void): () => void {
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
    const watcher: FSWatcher = watch(this.dir, (_, name) => (name === this.kind.file || name === null) && check());
    watchFile(this.file, { interval: 1000 }, check);
    return () => {
      clearTimeout(timer);
      watcher.close();
      unwatchFile(this.file, check);
    };
  }

  async close(): Promise<void> {}

  private write(state: S): void {
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
