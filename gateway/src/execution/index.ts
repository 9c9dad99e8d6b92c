export * from './enforcingExecutor';
export * from './hubGateway';
export * from './introspection';
export * from './refuseInvalidCursors';
