export * from './tracingRuntime';
export * from './spanAttributes';
export * from './requestSpans';
export * from './stageSpans';
export * from './fetchSpans';
export * from './logTraceIds';
