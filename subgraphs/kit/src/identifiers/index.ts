export * from './uscc';
export * from './residentId';
export * from './codes';
