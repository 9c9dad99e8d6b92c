export * from './documentStore';
export * from './redisDocumentStore';
