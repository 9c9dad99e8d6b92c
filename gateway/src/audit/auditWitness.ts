import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { signCheckpoint, type Checkpoint } from './hashChain';

/**
 * A checkpoint as the witness keeps it: always naming its trail. The first entry of a trail
 * (`opened`) is written when the trail gets its id — at seq 0 for a new trail, at its tail for an
 * older trail adopted without one — and says where the trail lived then.
 */
export interface WitnessEntry extends Checkpoint {
  trailId: string;
  opened?: { location: string; adoption?: TrailAdoption };
}

/**
 * An operator's decision, kept in the witness, to start a new trail in a place where the witness
 * knows an earlier one (`hub audit adopt`): who, why, and which trails it replaces. Verify stops
 * checking the folder against those trails and says so, with this, on every run.
 */
export interface TrailAdoption {
  by: string;
  reason: string;
  supersedes: string[];
}

/**
 * A copy of every checkpoint kept outside the audit folder, keyed by trail id: whoever can edit
 * AUDIT_DIR can cut records and checkpoints off its tail together, but not the witness's copy, so
 * `hub audit verify` still knows how far the trail had reached. `append` resolves only once the
 * entry would survive a crash: the gateway writes the witness first, then `checkpoints.jsonl`.
 */
export interface AuditWitness {
  /** Where the entries go, for messages (a folder, or a redacted Redis URL). */
  readonly location: string;
  append(entry: WitnessEntry): Promise<void>;
  /** Every entry of one trail, oldest first; undefined when the witness holds nothing for it. */
  entries(trailId: string): Promise<WitnessEntry[] | undefined>;
  last(trailId: string): Promise<WitnessEntry | undefined>;
  /** Ids of the trails that were opened at `location` (an audit folder or a stream). */
  trailsOpenedAt(location: string): Promise<string[]>;
  /** Every trail the witness was given, with where it was opened: a whole chain removed shows as missing. */
  openedTrails(): Promise<{ trailId: string; location: string }[]>;
  close(): Promise<void>;
}

/** Trail ids are UUIDs: anything else read from a trail is refused before it names a file or a key. */
export const TRAIL_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The default witness: one JSONL file per trail (`<trail id>.jsonl`) in a folder outside AUDIT_DIR
 * (`<HUB_DATA_DIR>/audit-witness`). Each entry is appended and fsynced before `append` resolves;
 * a new file's directory entry is fsynced too, so the file itself survives a crash.
 */
export class FileAuditWitness implements AuditWitness {
  constructor(readonly dir: string) {}

  get location(): string {
    return this.dir;
  }

  async append(entry: WitnessEntry): Promise<void> {
    const path = this.file(entry.trailId);
    await mkdir(this.dir, { recursive: true });
    const created = !(await stat(path).catch(() => undefined));
    // Asynchronous handles: the fsync waits on the disk, not the gateway's event loop.
    const handle = await open(path, 'a+');
    try {
      // A line torn by a crash was never acknowledged; start on a fresh line so this one parses.
      const { size } = await handle.stat();
      const torn = size > 0 && (await handle.read(Buffer.alloc(1), 0, 1, size - 1)).buffer[0] !== 0x0a;
      await handle.write(`${torn ? '\n' : ''}${JSON.stringify(entry)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (created) await fsyncDirectoryAsync(this.dir);
  }

  async entries(trailId: string): Promise<WitnessEntry[] | undefined> {
    const path = this.file(trailId);
    if (!existsSync(path)) return undefined;
    return parseEntries(readFileSync(path, 'utf8'), trailId);
  }

  /** Reads the file from its end: it grows with every checkpoint and is never trimmed. */
  async last(trailId: string): Promise<WitnessEntry | undefined> {
    const path = this.file(trailId);
    if (!existsSync(path)) return undefined;
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      for (let window = Math.min(size, 16 * 1024); window > 0; window = Math.min(size, window * 4)) {
        const buffer = Buffer.alloc(window);
        await handle.read(buffer, 0, window, size - window);
        const lines = buffer.toString('utf8').split('\n');
        // The window's first line is partial unless the window starts the file.
        const whole = window === size ? lines : lines.slice(1);
        const last = parseEntries(whole.join('\n'), trailId).at(-1);
        if (last || window === size) return last;
      }
      return undefined;
    } finally {
      await handle.close();
    }
  }

  async trailsOpenedAt(location: string): Promise<string[]> {
    return (await this.openedTrails()).filter((trail) => trail.location === location).map((trail) => trail.trailId);
  }

  async openedTrails(): Promise<{ trailId: string; location: string }[]> {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((name) => name.endsWith('.jsonl') && TRAIL_ID_PATTERN.test(name.slice(0, -'.jsonl'.length)))
      .flatMap((name) => {
        const location = firstEntry(join(this.dir, name))?.opened?.location;
        return location === undefined ? [] : [{ trailId: name.slice(0, -'.jsonl'.length), location }];
      });
  }

  async close(): Promise<void> {}

  private file(trailId: string): string {
    if (!TRAIL_ID_PATTERN.test(trailId)) throw new Error(`not a trail id: ${JSON.stringify(trailId)}`);
    return join(this.dir, `${trailId}.jsonl`);
  }
}

/** The witness lines of one trail; lines that do not parse (a torn line after a crash) are skipped. */
export function parseEntries(text: string, trailId: string): WitnessEntry[] {
  return text.split('\n').flatMap((line) => {
    if (!line) return [];
    try {
      const entry = JSON.parse(line) as WitnessEntry;
      return entry && typeof entry === 'object' && entry.trailId === trailId && Number.isInteger(entry.seq)
        ? [entry]
        : [];
    } catch {
      return [];
    }
  });
}

function firstEntry(path: string): WitnessEntry | undefined {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(8192, fstatSync(fd).size));
    readSync(fd, buffer, 0, buffer.length, 0);
    const line = buffer.toString('utf8').split('\n')[0];
    return line ? (JSON.parse(line) as WitnessEntry) : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** `fsyncDirectory` without blocking the event loop. */
export async function fsyncDirectoryAsync(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a new file's directory entry durable (POSIX: fsync the directory). */
export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Signs a checkpoint of the durable tail (`seq`, `hash`) and writes it to the witness first, then
 * to the trail (`writeToTrail`): in that order a crash between the two leaves the witness one
 * checkpoint ahead, vouching only for records already durable — verify accepts that, and the next
 * open copies it over. The other order would leave a moment when the trail vouches for a tail the
 * witness does not know, which a cut could then hide. Shared by the file trail and the Redis Stream.
 */
export async function writeWitnessedCheckpoint(
  signingKey: string,
  witness: AuditWitness | undefined,
  trailId: string | undefined,
  tail: { seq: number; hash: string },
  writeToTrail: (checkpoint: Checkpoint) => Promise<unknown>,
): Promise<void> {
  const checkpoint = signCheckpoint(signingKey, tail.seq, tail.hash, new Date().toISOString(), trailId);
  if (witness && trailId) await witness.append({ ...checkpoint, trailId });
  await writeToTrail(checkpoint);
}
