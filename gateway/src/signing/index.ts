export * from './consumerHeader';
