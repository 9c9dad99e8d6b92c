export * from './auditRecord';
export * from './hashChain';
export * from './jsonlAuditLog';
export * from './verifyAuditTrail';
