export * from './config';
export * from './limitSettings';
export * from './paths';
export * from './settings';
