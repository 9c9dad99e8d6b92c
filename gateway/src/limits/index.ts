export * from './operationLimits';
