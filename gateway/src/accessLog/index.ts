export * from './accessLogRows';
export * from './subjectIndex';
