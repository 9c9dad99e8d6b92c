export * from './agencyPaths';
export * from './repoRoot';
