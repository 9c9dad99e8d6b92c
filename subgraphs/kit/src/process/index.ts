export * from './runSubgraph';
