// The real redis-server for tests is shared with the subgraph kit's tests: see @cdo-hub/contracts.
export * from '@cdo-hub/contracts/testing';
