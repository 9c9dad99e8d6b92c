export * from './gatewayContext';
export * from './operationRuns';
export * from './requestLogger';
export * from './auditedRecords';
