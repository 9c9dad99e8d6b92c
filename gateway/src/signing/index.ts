// Call signing and change events are shared with the agencies' subgraphs: see @cdo-hub/contracts.
export * from '@cdo-hub/contracts/signing';
