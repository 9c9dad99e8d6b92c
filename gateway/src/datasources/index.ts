export * from './agencyDataSource';
export { subgraphTransport } from './subgraphTransport';
