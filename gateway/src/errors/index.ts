export * from './catalogue';
export * from './hubError';
