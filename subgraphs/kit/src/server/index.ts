export * from './subgraphServer';
export * from './callSignature';
export * from './redisNonceStore';
