export * from './registry';
export * from './roles';
export * from './identity';
