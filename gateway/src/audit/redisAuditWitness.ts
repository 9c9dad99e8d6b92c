import { Redis } from 'ioredis';
import { parseEntries, TRAIL_ID_PATTERN, type AuditWitness, type WitnessEntry } from './auditWitness';
import { redisDurabilityProblems } from '../stores';

/** Redis keys of the witness: one list per trail, and where each trail was opened. */
export function witnessKeys(trailId?: string) {
  if (trailId !== undefined && !TRAIL_ID_PATTERN.test(trailId))
    throw new Error(`not a trail id: ${JSON.stringify(trailId)}`);
  return { entries: `cdo-hub:audit-witness:{${trailId ?? ''}}:checkpoints`, opened: 'cdo-hub:audit-witness:opened' };
}

/**
 * The witness on a Redis of its own (`AUDIT_WITNESS_REDIS_URL`), for gateways whose data folders
 * an operator of the audit host may edit. Like the audit Redis it must never evict and must fsync
 * every write (`appendfsync always`, or `everysec` when explicitly accepted): an entry is
 * acknowledged once it is in the append-only file.
 */
export class RedisAuditWitness implements AuditWitness {
  private constructor(
    private readonly redis: Redis,
    readonly location: string,
  ) {}

  static async open(url: string, options: { allowEverysec?: boolean } = {}): Promise<RedisAuditWitness> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, connectTimeout: 5000 });
    // Errors reach the caller through the commands; without a listener ioredis would print them.
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      const problems = await redisDurabilityProblems(redis, options.allowEverysec ?? false);
      if (problems.length)
        throw new Error(
          `the audit witness Redis at ${redact(url)} could lose checkpoints:\n  ${problems.join('\n  ')}`,
        );
      return new RedisAuditWitness(redis, redact(url));
    } catch (error) {
      redis.disconnect();
      throw error;
    }
  }

  async append(entry: WitnessEntry): Promise<void> {
    const keys = witnessKeys(entry.trailId);
    const multi = this.redis.multi().rpush(keys.entries, JSON.stringify(entry));
    if (entry.opened) multi.hset(keys.opened, entry.trailId, entry.opened.location);
    const replies = await multi.exec();
    const failed = replies?.find(([error]) => error);
    if (!replies || failed) throw failed?.[0] ?? new Error('the audit witness Redis transaction was aborted');
  }

  async entries(trailId: string): Promise<WitnessEntry[] | undefined> {
    const lines = await this.redis.lrange(witnessKeys(trailId).entries, 0, -1);
    return lines.length ? parseEntries(lines.join('\n'), trailId) : undefined;
  }

  async last(trailId: string): Promise<WitnessEntry | undefined> {
    const line = await this.redis.lindex(witnessKeys(trailId).entries, -1);
    return line ? parseEntries(line, trailId)[0] : undefined;
  }

  async trailsOpenedAt(location: string): Promise<string[]> {
    const opened = await this.redis.hgetall(witnessKeys().opened);
    return Object.entries(opened)
      .filter(([, where]) => where === location)
      .map(([trailId]) => trailId);
  }

  async openedTrails(): Promise<{ trailId: string; location: string }[]> {
    const opened = await this.redis.hgetall(witnessKeys().opened);
    return Object.entries(opened).map(([trailId, location]) => ({ trailId, location }));
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
