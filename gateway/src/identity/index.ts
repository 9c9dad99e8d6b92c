export * from './identify';
export * from './presentedRoles';
export * from './purposeRule';
export * from './secrets';
export * from './tokenLifetime';
export * from './tokens';
export * from './operatorAccess';
