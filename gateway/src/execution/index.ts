export * from './context';
export * from './hubGateway';
