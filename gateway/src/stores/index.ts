export * from './documentStore';
export * from './redisDocumentStore';
export * from './redisDurability';
