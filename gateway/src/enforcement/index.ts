export * from './consumerSchema';
export * from './denialErrors';
export * from './operationView';
export * from './reservedAliases';
export { countEntities, RELAY_WRAPPER, walkResponse, walkSelection } from './responseWalk';
export * from './shapeResponse';
export * from './viewCache';
