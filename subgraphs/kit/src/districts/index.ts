export * from './districts';
