export * from './subjectsSeen';
export * from './subjectAccess';
export * from './subjectsInCacheEntries';
