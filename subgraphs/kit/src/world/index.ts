export * from './world';
export * from './worldModel';
