export * from './supergraphSource';
