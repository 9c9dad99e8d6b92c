export * from './paths';
export * from './runSubgraph';
