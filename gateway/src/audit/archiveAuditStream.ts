import { Redis } from 'ioredis';
import type { AuditRecord } from './auditRecord';
import type { AuditWitness } from './auditWitness';
import { JsonlAuditLog, type StoredOperation } from './jsonlAuditLog';
import { auditKeys, STREAM_TRAIL_ID } from './redisStreamAuditLog';

export interface ArchiveOptions {
  instance: string;
  /** The JSONL folder the records go to (one folder per instance). */
  dir: string;
  signingKey: string;
  /** Records per round trip. */
  batchSize?: number;
  /** Keep following the stream until the signal aborts. */
  follow?: { signal: AbortSignal; intervalMs?: number };
  onBatch?: (archived: number, lastSeq: number) => void;
  /**
   * The witness (closed when done): the folder's own checkpoints go there, and the stream is
   * checked against the checkpoints its gateway witnessed — a stream cut below them is refused.
   */
  witness?: AuditWitness;
}

/**
 * `hub audit archive`: moves a gateway's audit records from its Redis Stream into the JSONL files,
 * as they are (same chain, same hashes), fsynced before the stream is trimmed — the last record
 * stays in the stream so the gateway's chain carries on. Safe to stop at any point and run again:
 * records already in the files are skipped by sequence number.
 */
export async function archiveAuditStream(
  url: string,
  options: ArchiveOptions,
): Promise<{ archived: number; lastSeq: number }> {
  const keys = auditKeys(options.instance);
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  let log: JsonlAuditLog;
  try {
    log = await JsonlAuditLog.open(options.dir, {
      signingKey: options.signingKey,
      ...(options.witness ? { witness: options.witness } : {}),
    });
  } catch (error) {
    redis.disconnect();
    await options.witness?.close();
    throw error;
  }
  let archived = 0;
  try {
    const streamTrail = options.witness ? await redis.hget(keys.meta, STREAM_TRAIL_ID) : null;
    if (options.witness && streamTrail && !(await options.witness.last(streamTrail))) {
      throw new Error(
        `the audit witness at ${options.witness.location} holds nothing for the stream's trail ${streamTrail}: archive with the witness its gateway wrote (AUDIT_WITNESS_DIR or AUDIT_WITNESS_REDIS_URL)`,
      );
    }
    for (;;) {
      // Read before the stream: whatever the witness vouches for was in the stream by then.
      const witnessed = options.witness && streamTrail ? await options.witness.last(streamTrail) : undefined;
      const moved = await archiveOnce(redis, keys, log, options.batchSize ?? 1000);
      archived += moved;
      if (moved) options.onBatch?.(moved, log.lastSeq);
      if (moved >= (options.batchSize ?? 1000)) continue;
      if (witnessed && witnessed.seq > log.lastSeq) {
        throw new Error(
          `the audit stream of instance ${options.instance} ends at record ${log.lastSeq}, but its witness vouches for record ${witnessed.seq} (checkpoint of ${witnessed.time}): records were cut from the stream`,
        );
      }
      if (witnessed && witnessed.seq === log.lastSeq && witnessed.hash !== log.lastHash) {
        throw new Error(
          `record ${witnessed.seq} of the audit stream of instance ${options.instance} differs from the one its witness vouched for on ${witnessed.time}`,
        );
      }
      if (!options.follow || options.follow.signal.aborted) break;
      await new Promise((resolve) => setTimeout(resolve, options.follow!.intervalMs ?? 500));
      if (options.follow.signal.aborted) break;
    }
    return { archived, lastSeq: log.lastSeq };
  } finally {
    await log.close();
    redis.disconnect();
  }
}

async function archiveOnce(
  redis: Redis,
  keys: ReturnType<typeof auditKeys>,
  log: JsonlAuditLog,
  batchSize: number,
): Promise<number> {
  const cursor = await redis.hget(keys.meta, 'archived-id');
  const entries = (await redis.xrange(keys.records, cursor ? `(${cursor}` : '-', '+', 'COUNT', batchSize)) as [
    string,
    string[],
  ][];
  if (!entries.length) return 0;
  const records = entries
    .map(([, fields]) => JSON.parse(fields[1]!) as AuditRecord)
    .filter((record) => record.seq > log.lastSeq);
  if (records.length && records[0]!.seq !== log.lastSeq + 1) {
    throw new Error(
      `the stream continues at record ${records[0]!.seq} but ${log.location} ends at ${log.lastSeq}: records are missing between them (archive folder of another instance?)`,
    );
  }
  const operations = Object.values(await redis.hgetall(keys.operations)).map(
    (text) => JSON.parse(text) as StoredOperation,
  );
  log.storeOperations(operations);
  await log.appendChained(records);
  const lastId = entries[entries.length - 1]![0];
  await redis.hset(keys.meta, 'archived-id', lastId);
  // Trim what is on disk now, keeping the last record for the writer's chain.
  await redis.xtrim(keys.records, 'MINID', lastId);
  return records.length;
}
