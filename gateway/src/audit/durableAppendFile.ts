import { constants, existsSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDirectoryAsync } from './auditWitness';

/**
 * A trail file that every write reaches durably: `append` resolves once the text is on disk.
 * Where the platform has `O_DSYNC` (Linux, macOS) the file is opened with it, so the write and its
 * data sync are one trip to libuv's thread pool instead of two — the event loop spends about half
 * as long per batch, and the batch is durable sooner. Elsewhere each write is followed by a
 * datasync. A file this creates has its directory entry fsynced before it is used, so a new trail
 * file (the first, or one after a rotation) survives a power cut along with its records.
 */
export class DurableAppendFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    /** True when the file was opened with O_DSYNC: a write returns only once it is durable. */
    readonly syncsOnWrite: boolean,
  ) {}

  static async open(path: string): Promise<DurableAppendFile> {
    const created = !existsSync(path);
    const dsync = constants.O_DSYNC as number | undefined;
    const flags = dsync === undefined ? 'a' : constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | dsync;
    const handle = await open(path, flags);
    try {
      if (created) await fsyncDirectoryAsync(dirname(path));
    } catch (error) {
      await handle.close();
      throw error;
    }
    return new DurableAppendFile(path, handle, dsync !== undefined);
  }

  /** Appends the text; resolves once it is durable. */
  async append(text: string): Promise<void> {
    await this.handle.write(text);
    if (!this.syncsOnWrite) await this.handle.datasync();
  }

  /** Cuts the file back to `bytes` (whatever part of a failed batch reached it). */
  truncate(bytes: number): Promise<void> {
    return this.handle.truncate(bytes);
  }

  /** The file descriptor, for the tests that read its open flags. */
  get fd(): number {
    return this.handle.fd;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
