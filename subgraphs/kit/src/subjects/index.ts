export * from './subjectTypes';
export * from './collectSubjects';
export * from './subjectsPlugin';
