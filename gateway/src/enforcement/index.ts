export * from './consumerSchema';
export * from './denialErrors';
export * from './operationView';
export * from './shapeResponse';
export * from './viewCache';
