export * from './agencyDataSource';
