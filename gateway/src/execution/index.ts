export * from './hubGateway';
export * from './refuseInvalidCursors';
