export * from './cachePolicy';
export * from './cacheStore';
export * from './fetchCache';
export * from './fetchCachePolicy';
export * from './memoryCacheStore';
export * from './redisCacheStore';
export * from './responseCache';
export * from './responseTags';
