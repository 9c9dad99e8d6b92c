export * from './subgraphSettings';
