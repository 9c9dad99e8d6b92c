export * from './csv';
export * from './negotiate';
export * from './pagedExport';
export * from './selection';
export * from './tabulate';
