export * from './gatewayServer';
export * from './processSignals';
