export * from './workerCount';
export * from './workerServices';
export * from './restartPolicy';
