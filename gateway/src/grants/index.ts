export * from './grantService';
export * from './grantStore';
export * from './grantViews';
export * from './grantDecisions';
export * from './grantWorkflow';
export {
  ANSWER_WITHIN_WORKING_DAYS,
  GrantWorkflowError,
  type ApprovalInput,
  type DecisionInput,
  type GrantRequestInput,
  type WorkflowContext,
  type WorkflowStep,
} from './workflowSteps';
export * from './model';
export * from './workingDays';
export * from './grantSync';
export * from './redisGrantStore';
export * from './openGrantStore';
export * from './separationOfDuties';
export * from './maskChoice';
export * from './retention';
