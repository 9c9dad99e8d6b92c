export * from './canonicalJson';
export * from './duration';
export * from './yamlSource';
export * from './copyJson';
