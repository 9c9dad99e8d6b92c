import type { Redis } from 'ioredis';

/**
 * Why a Redis server could lose audit records, or nothing. Pure: takes the server's settings.
 * Records must never be evicted (`maxmemory-policy noeviction`) and must survive a restart (the
 * append-only file on, fsynced on every write — or every second when explicitly accepted).
 */
export function durableRedisProblems(settings: Record<string, string | undefined>, allowEverysec: boolean): string[] {
  const problems: string[] = [];
  const policy = settings['maxmemory-policy'];
  if (policy !== 'noeviction')
    problems.push(
      `maxmemory-policy is "${policy ?? 'unknown'}": Redis may evict audit records under memory pressure; set it to noeviction`,
    );
  if (settings.appendonly !== 'yes')
    problems.push('appendonly is off: audit records would be lost when Redis restarts; set appendonly yes');
  const fsync = settings.appendfsync;
  if (fsync !== 'always' && !(allowEverysec && fsync === 'everysec')) {
    problems.push(
      `appendfsync is "${fsync ?? 'unknown'}": acknowledged records could be lost on a crash; set appendfsync always${fsync === 'everysec' ? ' (or accept losing up to a second with AUDIT_REDIS_ALLOW_EVERYSEC=true)' : ''}`,
    );
  }
  return problems;
}

/** Reads a server's eviction and persistence settings and says how it could lose data. */
export async function redisDurabilityProblems(redis: Redis, allowEverysec: boolean): Promise<string[]> {
  const config: Record<string, string> = {};
  for (const name of ['maxmemory-policy', 'appendonly', 'appendfsync']) {
    const reply = (await redis.config('GET', name)) as string[];
    if (reply[1] !== undefined) config[name] = reply[1];
  }
  return durableRedisProblems(config, allowEverysec);
}
