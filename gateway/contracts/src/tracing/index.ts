export * from './traceparent';
export * from './tracingSettings';
