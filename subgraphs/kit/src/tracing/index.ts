export * from './tracingRuntime';
export * from './callSpans';
export * from './sqlSpans';
