export * from './errors';
export * from './signing';
export * from './caching';
export * from './tls';
export * from './tracing';
export * from './subjects';
