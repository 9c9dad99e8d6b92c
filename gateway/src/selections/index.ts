export * from './fieldsByResponseKey';
