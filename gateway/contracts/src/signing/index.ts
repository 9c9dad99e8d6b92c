export * from './consumerHeader';
export * from './changeEvents';
