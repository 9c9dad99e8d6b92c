export * from './config';
export * from './limitSettings';
