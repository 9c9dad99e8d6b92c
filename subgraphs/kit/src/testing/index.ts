export * from './subgraphHarness';
