export * from './identify';
export * from './secrets';
export * from './tokens';
