export * from './consumerSchema';
export * from './denialErrors';
export * from './operationView';
export * from './reservedAliases';
export * from './shapeResponse';
export * from './viewCache';
