export * from './consoleRoutes';
export * from './grantOptions';
export * from './grantRegister';
export * from './decisionPreview';
export * from './usageView';
export * from './schemaVersionsView';
