import { createReadStream, existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { AuditRecord } from './auditRecord';
import { auditFiles } from './jsonlAuditLog';

/**
 * Every record of the trail in order, streamed file by file. With `since`, files that end before
 * it are skipped unread (each file's successor starts later than the file's last record).
 */
export async function* readAuditTrail(dir: string, options: { since?: Date } = {}): AsyncGenerator<AuditRecord> {
  const files = auditFiles(dir);
  const since = options.since?.toISOString();
  for (let i = 0; i < files.length; i++) {
    const next = files[i + 1];
    if (since && next && (firstRecordTime(join(dir, next)) ?? '') < since) continue;
    const lines = createInterface({ input: createReadStream(join(dir, files[i]!), 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line) continue;
      let record: AuditRecord;
      try {
        record = JSON.parse(line) as AuditRecord;
      } catch {
        continue; // a torn last line while the gateway writes; `hub audit verify` reports real damage
      }
      if (!since || record.time >= since) yield record;
    }
  }
}

function firstRecordTime(path: string): string | undefined {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(4096, statSync(path).size));
    readSync(fd, buffer, 0, buffer.length, 0);
    return /"time":"([^"]+)"/.exec(buffer.toString('utf8'))?.[1];
  } finally {
    closeSync(fd);
  }
}

/**
 * Follows the trail as the gateway writes it (`hub audit tail`): calls `onRecord` for each new
 * record, across file rotations, polling every `intervalMs`. Starts after the last `backlog`
 * records already written. Returns a function that stops following.
 */
export function followAuditTrail(
  dir: string,
  onRecord: (record: AuditRecord) => void,
  options: { backlog?: number; intervalMs?: number } = {},
): () => void {
  let file: string | undefined;
  let offset = 0;
  let partial = '';
  let stopped = false;
  const readNew = () => {
    const files = auditFiles(dir);
    if (!files.length) return;
    if (!file) {
      file = files[files.length - 1]!;
      const backlog = options.backlog ?? 10;
      const text = readText(join(dir, file), 0);
      const complete = text.slice(0, text.lastIndexOf('\n') + 1);
      offset = Buffer.byteLength(complete);
      const lines = complete.split('\n').filter(Boolean);
      for (const line of backlog > 0 ? lines.slice(-backlog) : []) emit(line);
      return;
    }
    for (;;) {
      const path = join(dir, file);
      if (existsSync(path)) {
        const text = partial + readText(path, offset);
        offset += Buffer.byteLength(text) - Buffer.byteLength(partial);
        const end = text.lastIndexOf('\n');
        for (const line of text.slice(0, end + 1).split('\n')) if (line) emit(line);
        partial = text.slice(end + 1);
      }
      const later = files.find((f) => f > file!);
      if (!later) break;
      file = later;
      offset = 0;
      partial = '';
    }
  };
  const emit = (line: string) => {
    try {
      onRecord(JSON.parse(line) as AuditRecord);
    } catch {
      // not a record
    }
  };
  const timer = setInterval(() => !stopped && readNew(), options.intervalMs ?? 250);
  readNew();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

function readText(path: string, from: number): string {
  const size = statSync(path).size;
  if (size <= from) return '';
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(size - from);
    readSync(fd, buffer, 0, buffer.length, from);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** One line per record for a terminal: time, consumer, purpose, outcome, then per agency what it got. */
export function formatRecordLine(record: AuditRecord): string {
  if (record.kind === 'grant') {
    return `${record.time.slice(0, 19)}Z #${record.seq} GRANT ${record.action.toUpperCase()} ${record.grantId ?? record.grantRequest} by ${record.actor}: ${record.consumer} (${record.purpose}) ${record.agency} ${record.fields.join(' ')}${record.reason ? ` — ${record.reason}` : ''}`;
  }
  const agencies = Object.entries(record.agencies ?? {})
    .map(([agency, access]) => {
      const parts = [`${access.entities ?? 0} record(s)`];
      if (access.released.length) parts.push(`released ${access.released.join(' ')}`);
      if (access.masked.length) parts.push(`masked ${access.masked.join(' ')}`);
      if (access.denied.length) parts.push(`DENIED ${access.denied.join(' ')}`);
      return `${agency}: ${parts.join('; ')}`;
    })
    .join(' | ');
  return `${record.time.slice(0, 19)}Z #${record.seq} ${record.consumer} (${record.purpose ?? 'no purpose'}${record.case ? `, case ${record.case}` : ''}) ${record.operationName ?? record.operationHash.slice(0, 12)} ${record.outcome}${record.grants.length ? ` [${record.grants.join(' ')}]` : ''} — ${agencies}`;
}
