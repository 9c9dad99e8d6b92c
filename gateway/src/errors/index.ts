export * from './catalogue';
export * from './hubError';
export * from './shapeErrors';
export * from './httpErrors';
