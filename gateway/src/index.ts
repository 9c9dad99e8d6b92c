export * from './config';
export * from './errors';
export * from './execution';
export * from './health';
export * from './http';
export * from './supergraph';
