import { policyImpact, type PolicyImpact, type PolicySet } from '../policy';
import { recentOperations } from './recentOperations';

/** How far back an impact preview reads consumers' operations. */
export interface ImpactWindow {
  sinceDays: number;
}

export interface ReplayedImpact {
  impact: PolicyImpact;
  /** The first instant read (ISO). */
  since: string;
  /** Access records read in the window; 0 means consumers' usage could not be checked. */
  records: number;
}

/**
 * A policy change (a grant decision, a changed policy file) replayed over the operations
 * consumers sent within the window — the preview `hub policy impact`, `hub grant approve` and the
 * console's decision preview all show. Reads the trail's files only: records still in a Redis
 * Stream are seen once `hub audit archive` moved them.
 */
export async function replayImpact(
  auditDir: string,
  before: PolicySet,
  after: PolicySet,
  window: ImpactWindow,
  now: Date = new Date(),
): Promise<ReplayedImpact> {
  const since = new Date(now.getTime() - window.sinceDays * 86_400_000);
  const { operations, records } = await recentOperations(auditDir, since);
  return { impact: policyImpact(before, after, operations, now.getTime()), since: since.toISOString(), records };
}
