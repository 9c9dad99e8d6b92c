export * from './errors';
export * from './signing';
export * from './caching';
export * from './tracing';
