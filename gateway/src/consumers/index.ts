export * from './consumerDirectory';
export * from './roles';
export * from './identity';
