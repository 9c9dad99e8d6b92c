export * from './cacheLifetime';
