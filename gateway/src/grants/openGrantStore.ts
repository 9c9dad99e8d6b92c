import { FileGrantStore, type GrantStore } from './grantStore';
import { RedisGrantStore } from './redisGrantStore';

/** The grant store the configuration names: Redis when `GRANT_STORE_REDIS_URL` is set, else the folder. */
export async function openGrantStore(config: {
  grantStoreDir: string;
  grantStoreRedisUrl?: string;
  auditRedisAllowEverysec?: boolean;
}): Promise<GrantStore> {
  if (!config.grantStoreRedisUrl) return new FileGrantStore(config.grantStoreDir);
  return RedisGrantStore.open(config.grantStoreRedisUrl, { allowEverysec: config.auditRedisAllowEverysec ?? false });
}
