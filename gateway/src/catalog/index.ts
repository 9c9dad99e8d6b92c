export * from './buildCatalog';
export * from './catalogPage';
export * from './catalogRoutes';
export * from './loadCatalogMetadata';
export * from './metadataModel';
