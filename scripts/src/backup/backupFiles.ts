import { createHash } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fsyncDirectory } from '@cdo-hub/gateway/audit';

/** A file as it stands in a backup: its length and SHA-256 there. */
export interface CopiedFile {
  bytes: number;
  sha256: string;
}

const CHUNK_BYTES = 1 << 20;

/**
 * Copies `source` up to the end of its last complete line. The gateway appends whole lines to its
 * JSONL files (records, checkpoints, the witness, operation texts) while a backup reads them, so
 * a read can end inside a line being written: that line was not yet acknowledged, and the copy
 * leaves it out, as a gateway opening the file after a crash would. The file's length is taken
 * when the copy starts; what is appended after belongs to the next backup.
 */
export function copyWholeLines(source: string, target: string): CopiedFile {
  const input = openSync(source, 'r');
  try {
    const length = fstatSync(input).size;
    return writeNewFile(target, (write) => {
      const chunk = Buffer.alloc(CHUNK_BYTES);
      let pending: Buffer[] = [];
      for (let position = 0; position < length;) {
        const read = readSync(input, chunk, 0, Math.min(CHUNK_BYTES, length - position), position);
        if (read === 0) break; // cut shorter meanwhile (a failed batch taken back): what was read stands
        position += read;
        const piece = chunk.subarray(0, read);
        const end = piece.lastIndexOf(0x0a);
        if (end < 0) {
          pending.push(Buffer.from(piece));
          continue;
        }
        write(Buffer.concat([...pending, piece.subarray(0, end + 1)]));
        pending = [Buffer.from(piece.subarray(end + 1))];
      }
    });
  } finally {
    closeSync(input);
  }
}

/** Copies a file the stores replace atomically (write, rename): any read sees one whole version. */
export function copyWhole(source: string, target: string): CopiedFile {
  const content = readFileSync(source);
  return writeNewFile(target, (write) => write(content));
}

/** Writes `text` as a new file (never over an existing one), durably. */
export function writeNewText(target: string, text: string): CopiedFile {
  return writeNewFile(target, (write) => write(Buffer.from(text)));
}

/** Length and SHA-256 of a file, read in chunks. */
export function describeFile(path: string): CopiedFile {
  const fd = openSync(path, 'r');
  try {
    const hash = createHash('sha256');
    const chunk = Buffer.alloc(CHUNK_BYTES);
    let bytes = 0;
    for (let read: number; (read = readSync(fd, chunk, 0, CHUNK_BYTES, bytes)) > 0; bytes += read)
      hash.update(chunk.subarray(0, read));
    return { bytes, sha256: hash.digest('hex') };
  } finally {
    closeSync(fd);
  }
}

/** Writes a file through a temporary name, fsynced, then renamed: a reader never sees half of it. */
export function replaceTextDurably(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  fsyncDirectory(dirname(path));
}

/** Every regular file under `root`, as paths relative to it with `/` separators, sorted. */
export function filesUnder(root: string, prefix = ''): string[] {
  return readdirSync(join(root, prefix), { withFileTypes: true })
    .flatMap((entry) => {
      const path = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) return filesUnder(root, path);
      return entry.isFile() ? [path] : [];
    })
    .sort();
}

/** Makes the folders under `root` (and `root`) durable: new files' directory entries survive a power cut. */
export function fsyncTree(root: string): void {
  for (const entry of readdirSync(root, { withFileTypes: true }))
    if (entry.isDirectory()) fsyncTree(join(root, entry.name));
  fsyncDirectory(root);
}

function writeNewFile(target: string, fill: (write: (bytes: Buffer) => void) => void): CopiedFile {
  mkdirSync(dirname(target), { recursive: true });
  // `wx`: a backup or a restore never writes over a file that is already there.
  const output = openSync(target, 'wx');
  try {
    const hash = createHash('sha256');
    let bytes = 0;
    fill((buffer) => {
      for (let offset = 0; offset < buffer.length;) offset += writeSync(output, buffer, offset, buffer.length - offset);
      hash.update(buffer);
      bytes += buffer.length;
    });
    fsyncSync(output);
    return { bytes, sha256: hash.digest('hex') };
  } finally {
    closeSync(output);
  }
}
