export * from './changeCapture';
export * from './changeFeed';
