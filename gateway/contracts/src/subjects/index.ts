export * from './subjectDigest';
export * from './subjectKeys';
