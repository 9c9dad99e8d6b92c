import { RedisDocumentStore } from '../stores';
import { GRANT_STORE, type GrantStore } from './grantStore';

/**
 * The grant store on Redis (`GRANT_STORE_REDIS_URL`), for several gateways on several machines.
 * The server must never evict and must persist every write: a lost revocation would bring a
 * grant back.
 */
export const RedisGrantStore = {
  open(url: string, options: { allowEverysec?: boolean } = {}): Promise<GrantStore> {
    return RedisDocumentStore.open(url, GRANT_STORE, options);
  },
};
