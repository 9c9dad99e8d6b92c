export * from './heapGrowth';
