export * from './gatewayServer';
