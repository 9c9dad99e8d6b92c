export * from './examples';
export * from './readmeSections';
