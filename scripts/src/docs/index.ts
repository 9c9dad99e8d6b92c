export * from './examples';
export * from './sections';
export * from './generatedDocs';
export * from './errorReference';
export * from './shellExamples';
