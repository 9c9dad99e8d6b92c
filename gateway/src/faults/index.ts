export * from './circuitBreaker';
export * from './classifyFailure';
export * from './subgraphFaults';
export * from './reportFaults';
