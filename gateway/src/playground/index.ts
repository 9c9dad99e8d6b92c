export * from './examples';
export * from './playgroundRoutes';
