export * from './buildCatalog';
export * from './catalogPage';
export * from './catalogRoutes';
