export * from './accessLogRows';
export * from './subjectIndex';
export * from './transparencyView';
export * from './transparencyAnswer';
