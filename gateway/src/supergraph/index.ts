export * from './fieldOwnership';
export * from './supergraphSource';
