export * from './paths';
export * from './repoRoot';
export * from './runSubgraph';
