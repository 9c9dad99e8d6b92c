export * from './cachePolicy';
export * from './cacheStore';
export * from './memoryCacheStore';
export * from './redisCacheStore';
export * from './responseCache';
export * from './responseTags';
