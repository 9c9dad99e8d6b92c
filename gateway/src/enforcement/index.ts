export * from './consumerSchema';
export * from './denialErrors';
export * from './operationView';
export * from './reservedAliases';
export { countEntities, walkResponse, walkSelection } from './responseWalk';
export * from './shapeResponse';
export * from './viewCache';
