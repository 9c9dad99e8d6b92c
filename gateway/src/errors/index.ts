// The catalogue, hubError and the HTTP-level error answers live in @cdo-hub/contracts, shared with
// the agencies' subgraphs; only shaping what the gateway answers its clients is the gateway's own.
export * from '@cdo-hub/contracts/errors';
export * from './shapeErrors';
