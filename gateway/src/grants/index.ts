export * from './grantService';
export * from './grantStore';
export * from './grantWorkflow';
export * from './model';
export * from './workingDays';
export * from './grantSync';
export * from './redisGrantStore';
export * from './openGrantStore';
