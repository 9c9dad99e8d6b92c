export * from './manifest';
export * from './allowList';
export * from './scopedRegistrations';
