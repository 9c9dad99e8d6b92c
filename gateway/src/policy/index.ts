export * from './analyseOperation';
export * from './compilePolicies';
export * from './decideField';
export * from './explain';
export * from './loadPolicySet';
export * from './model';
export * from './policySet';
export * from './yamlSource';
