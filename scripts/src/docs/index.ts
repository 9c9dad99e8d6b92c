export * from './examples';
export * from './readmeSections';
export * from './shellExamples';
