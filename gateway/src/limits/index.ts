export * from './operationLimits';
export * from './requestLimits';
export * from './limitPlugins';
