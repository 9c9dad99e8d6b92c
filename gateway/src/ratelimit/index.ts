export * from './slidingWindow';
export * from './rateLimiter';
