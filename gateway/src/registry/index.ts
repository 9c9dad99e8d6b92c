export * from './model';
export * from './schemaRegistry';
export * from './servedSupergraph';
