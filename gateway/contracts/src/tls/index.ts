export * from './serverTls';
