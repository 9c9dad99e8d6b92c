export * from './manifest';
export * from './allowList';
