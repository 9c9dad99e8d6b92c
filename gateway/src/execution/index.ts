export * from './context';
export * from './hubGateway';
export * from './operationRuns';
export * from './refuseInvalidCursors';
