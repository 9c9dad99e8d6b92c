export * from './redisServer';
