import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { auditChainDirs, auditFiles, readTrailIdentity, type AuditRecord } from '../audit';
import { subjectReadsOf } from './accessLogRows';
import type { SubjectRead } from './transparencyAnswer';

/**
 * The file of the subject index, in `AUDIT_DIR` beside the chains. Derived from the trail, never a
 * source: backups skip it, and it is rebuilt from the trail whenever it does not continue it.
 */
export const SUBJECT_INDEX_FILE = 'subject-index.sqlite';

/** How far each chain is indexed: the file and byte offset after the last record read, and that record. */
interface ChainPosition {
  chain: string;
  trail_id: string;
  file: string;
  offset: number;
  seq: number;
  hash: string;
}

/**
 * A read is a digest (32 bytes), the shape it was read in (agency, record type, fields released
 * and masked, grants: the same few recur across a trail, so each is stored once) and the record it
 * is in. The reads table is its own index (WITHOUT ROWID, keyed by digest first): a lookup is one
 * B-tree range, and a read costs about 50 bytes.
 */
const SCHEMA_VERSION = 2;
const SCHEMA = `
CREATE TABLE chains (
  chain TEXT PRIMARY KEY, trail_id TEXT NOT NULL, file TEXT NOT NULL, offset INTEGER NOT NULL,
  seq INTEGER NOT NULL, hash TEXT NOT NULL);
CREATE TABLE records (
  chain TEXT NOT NULL, seq INTEGER NOT NULL, time TEXT NOT NULL, request_id TEXT NOT NULL,
  consumer TEXT NOT NULL, purpose TEXT, case_ref TEXT, PRIMARY KEY (chain, seq)) WITHOUT ROWID;
CREATE TABLE shapes (
  id INTEGER PRIMARY KEY, agency TEXT NOT NULL, type TEXT NOT NULL, released TEXT NOT NULL,
  masked TEXT NOT NULL, grants TEXT NOT NULL, UNIQUE (agency, type, released, masked, grants));
CREATE TABLE reads (
  digest BLOB NOT NULL, shape INTEGER NOT NULL, chain TEXT NOT NULL, seq INTEGER NOT NULL,
  PRIMARY KEY (digest, shape, chain, seq)) WITHOUT ROWID;
`;

/**
 * Who read a subject's records, by the agency's digest: an index over the audit trail's access
 * records (SQLite, in `AUDIT_DIR/subject-index.sqlite`), so a lookup is a B-tree search, not a scan
 * of the trail. It is derived: `catchUp()` reads each chain from where it stopped (file and byte
 * offset) and indexes the records appended since, in one transaction per chain; a chain that no
 * longer continues what was indexed — another trail id, a file shorter than the offset, a record
 * that does not chain to the last one indexed (a restore, a trail replaced) — is indexed again
 * from its first record. The JSONL files are read; a Redis Stream trail reaches the index once
 * archived into them (`hub audit archive`).
 */
export class SubjectIndex {
  private constructor(
    private readonly db: Database.Database,
    private readonly auditDir: string,
    private readonly chunkBytes: number,
  ) {}

  /** `chunkBytes`: how much of a trail file is read at a time (8 MiB). */
  static open(auditDir: string, options: { chunkBytes?: number; busyTimeoutMs?: number } = {}): SubjectIndex {
    mkdirSync(auditDir, { recursive: true });
    const db = new Database(join(auditDir, SUBJECT_INDEX_FILE));
    db.pragma('journal_mode = WAL');
    // Several gateway workers and the CLI may catch up at once: each waits for the other's
    // transaction — the CLI patiently (10 s), a gateway briefly (its event loop waits with it).
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
    db.pragma('synchronous = NORMAL');
    // Derived data: an index of another layout is dropped and built again from the trail.
    db.transaction(() => {
      if (db.pragma('user_version', { simple: true }) === SCHEMA_VERSION) return;
      for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
        name: string;
      }[])
        db.exec(`DROP TABLE IF EXISTS "${name}"`);
      db.exec(SCHEMA);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
    return new SubjectIndex(db, auditDir, options.chunkBytes ?? 8 * 2 ** 20);
  }

  /**
   * Indexes what every chain appended since the last catch-up: all of it, or at most `limit`
   * records per chain (`more` then says some are left), so a follower can take a long backlog in
   * slices without holding its process for the whole of it.
   */
  catchUp(limit = Infinity): { records: number; rebuilt: string[]; more: boolean } {
    let records = 0;
    let more = false;
    const rebuilt: string[] = [];
    if (!existsSync(this.auditDir)) return { records, rebuilt, more };
    for (const chain of auditChainDirs(this.auditDir)) {
      const outcome = this.catchUpChain(chain, limit);
      records += outcome.records;
      if (outcome.records >= limit) more = true;
      if (outcome.rebuilt) rebuilt.push(chain);
    }
    return { records, rebuilt, more };
  }

  private catchUpChain(chainDir: string, limit: number): { records: number; rebuilt: boolean } {
    const chain = chainDir === this.auditDir ? '.' : chainDir.slice(this.auditDir.length + 1);
    const identity = readTrailIdentity(chainDir);
    const trailId = identity && 'trailId' in identity ? identity.trailId : '';
    const files = auditFiles(chainDir);
    // Shape ids are cached within one transaction only: a rolled-back one must not leave ids of rows that never were.
    this.shapeIds.clear();
    // BEGIN IMMEDIATE: one catching-up process at a time reads and advances a chain's position.
    return this.db
      .transaction(() => {
        const known = this.db.prepare('SELECT * FROM chains WHERE chain = ?').get(chain) as ChainPosition | undefined;
        const continues =
          known !== undefined &&
          known.trail_id === trailId &&
          files.includes(known.file) &&
          statSync(join(chainDir, known.file)).size >= known.offset;
        if (known && !continues) {
          this.forget(chain);
          return { records: this.indexFrom(chain, chainDir, files, trailId, undefined, limit), rebuilt: true };
        }
        const records = this.indexFrom(chain, chainDir, files, trailId, known, limit);
        if (records >= 0) return { records, rebuilt: false };
        // The first record after the position does not chain to the last one indexed.
        this.forget(chain);
        return { records: this.indexFrom(chain, chainDir, files, trailId, undefined, limit), rebuilt: true };
      })
      .immediate();
  }

  private forget(chain: string): void {
    // Shapes are shared by every chain and few: kept.
    for (const table of ['reads', 'records', 'chains'])
      this.db.prepare(`DELETE FROM ${table} WHERE chain = ?`).run(chain);
  }

  /**
   * Indexes the chain's records after `position` (all of them without one) and moves the position
   * to the last; -1, indexing nothing, when the first record does not chain to the position's.
   */
  private indexFrom(
    chain: string,
    chainDir: string,
    files: readonly string[],
    trailId: string,
    position: ChainPosition | undefined,
    limit: number,
  ): number {
    let { file, offset, seq, hash } = position ?? { file: '', offset: 0, seq: 0, hash: '' };
    let records = 0;
    for (const name of files) {
      if (records >= limit) break;
      if (position && name < position.file) continue;
      let at = position && name === position.file ? offset : 0;
      // The file a chunk at a time: a slice of a long backlog reads only about what it indexes.
      for (;;) {
        const { lines } = completeLines(join(chainDir, name), at, this.chunkBytes);
        if (!lines.length) break;
        const batch: AuditRecord[] = [];
        for (const line of lines) {
          if (records + batch.length >= limit) break;
          at += Buffer.byteLength(line) + 1;
          if (!line) continue;
          let record: AuditRecord;
          try {
            record = JSON.parse(line) as AuditRecord;
          } catch {
            continue; // a damaged line: `hub audit verify` reports it; the index goes on past it
          }
          if (position && records === 0 && batch.length === 0 && record.prevHash !== position.hash) return -1;
          batch.push(record);
          seq = record.seq;
          hash = record.hash;
        }
        this.insert(chain, batch);
        records += batch.length;
        file = name;
        offset = at;
        if (records >= limit) break;
      }
    }
    if (file)
      this.db
        .prepare('INSERT OR REPLACE INTO chains (chain, trail_id, file, offset, seq, hash) VALUES (?, ?, ?, ?, ?, ?)')
        .run(chain, trailId, file, offset, seq, hash);
    return records;
  }

  private readonly shapeIds = new Map<string, number>();

  /** The id of a shape (agency, type, fields, grants), added when new. */
  private shapeOf(agency: string, type: string, released: string, masked: string, grants: string): number {
    const key = [agency, type, released, masked, grants].join('\u0000');
    let id = this.shapeIds.get(key);
    if (id === undefined) {
      this.db
        .prepare('INSERT OR IGNORE INTO shapes (agency, type, released, masked, grants) VALUES (?, ?, ?, ?, ?)')
        .run(agency, type, released, masked, grants);
      id = (
        this.db
          .prepare('SELECT id FROM shapes WHERE agency = ? AND type = ? AND released = ? AND masked = ? AND grants = ?')
          .get(agency, type, released, masked, grants) as { id: number }
      ).id;
      this.shapeIds.set(key, id);
    }
    return id;
  }

  private insert(chain: string, records: readonly AuditRecord[]): void {
    const addRecord = this.db.prepare(
      'INSERT OR REPLACE INTO records (chain, seq, time, request_id, consumer, purpose, case_ref) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const addRead = this.db.prepare('INSERT OR IGNORE INTO reads (digest, shape, chain, seq) VALUES (?, ?, ?, ?)');
    for (const record of records) {
      const reads = subjectReadsOf(record);
      if (!reads.length) continue;
      addRecord.run(
        chain,
        record.seq,
        record.time,
        record.requestId,
        record.consumer,
        record.purpose,
        ('case' in record && record.case) || null,
      );
      for (const read of reads)
        addRead.run(
          Buffer.from(read.digest, 'hex'),
          this.shapeOf(read.agency, read.type, read.released.join(' '), read.masked.join(' '), read.grants.join(' ')),
          chain,
          record.seq,
        );
    }
  }

  /** Every read of the subjects with these digests, per agency, newest first. */
  lookup(subjects: readonly { agency: string; digest: string }[]): SubjectRead[] {
    const find = this.db.prepare(
      `SELECT s.agency, s.type, s.released, s.masked, s.grants, r.seq, c.time, c.request_id, c.consumer, c.purpose, c.case_ref
       FROM reads r JOIN shapes s ON s.id = r.shape JOIN records c ON c.chain = r.chain AND c.seq = r.seq
       WHERE r.digest = ? AND s.agency = ?`,
    );
    const split = (text: string) => (text ? text.split(' ') : []);
    return subjects
      .flatMap(({ agency, digest }) =>
        (find.all(Buffer.from(digest, 'hex'), agency) as Record<string, string | number | null>[]).map(
          (row): SubjectRead => ({
            time: String(row.time),
            agency: String(row.agency),
            type: String(row.type),
            consumer: String(row.consumer),
            purpose: row.purpose === null ? null : String(row.purpose),
            case: row.case_ref === null ? null : String(row.case_ref),
            released: split(String(row.released)),
            masked: split(String(row.masked)),
            grants: split(String(row.grants)),
            requestId: String(row.request_id),
            seq: Number(row.seq),
          }),
        ),
      )
      .sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
  }

  close(): void {
    this.db.close();
  }
}

/**
 * The complete lines of `path` from byte `from`, reading at most about `chunkBytes` (a torn last
 * line waits for its newline; a line longer than a chunk is read whole), and where they end.
 */
function completeLines(path: string, from: number, chunkBytes: number): { lines: string[]; end: number } {
  const size = statSync(path).size;
  if (size <= from) return { lines: [], end: from };
  const fd = openSync(path, 'r');
  try {
    for (let length = Math.min(chunkBytes, size - from); ; length = Math.min(length * 2, size - from)) {
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, from);
      const last = buffer.lastIndexOf(0x0a);
      if (last >= 0)
        // Every line, empty ones too: the caller counts their bytes to know where it stopped.
        return { lines: buffer.subarray(0, last).toString('utf8').split('\n'), end: from + last + 1 };
      if (length === size - from) return { lines: [], end: from };
    }
  } finally {
    closeSync(fd);
  }
}
