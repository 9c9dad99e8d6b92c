export * from './csv';
export * from './tabulate';
export * from './negotiate';
