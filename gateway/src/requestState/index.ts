export * from './gatewayContext';
export * from './operationRuns';
