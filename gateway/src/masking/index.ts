export * from './masks';
export * from './fittingMasks';
