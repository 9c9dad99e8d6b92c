export * from './context';
export * from './hubGateway';
export * from './refuseInvalidCursors';
