export * from './auditRecord';
export * from './hashChain';
export * from './jsonlAuditLog';
export * from './verifyAuditTrail';
export * from './readAuditTrail';
export * from './usageReport';
