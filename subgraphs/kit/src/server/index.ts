export * from './subgraphServer';
