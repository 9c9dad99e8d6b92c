export * from './random';
export * from './names';
