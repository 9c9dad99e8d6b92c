export * from './webBundle';
