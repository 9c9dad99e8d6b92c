export * from './agencyDatabase';
export * from './seedDatabase';
export * from './surrogateOrder';
