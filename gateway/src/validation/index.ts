export * from './knownOperationTypesRule';
