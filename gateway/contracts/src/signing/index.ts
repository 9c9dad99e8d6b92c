export * from './consumerHeader';
export * from './changeEvents';
export * from './signingKeyring';
