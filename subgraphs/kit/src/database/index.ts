export * from './agencyDatabase';
export * from './seedDatabase';
