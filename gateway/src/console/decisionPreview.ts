import type {
  BlankedObject,
  OutcomeChange,
  PolicyImpact,
  PolicySet,
  UnreachableGrant,
  UnreachableRequest,
} from '../policy';

/** A grant decision a CDO is about to confirm in the console. */
export interface PendingDecision {
  decision: 'approve' | 'refuse' | 'revoke';
  /** The request (approve, refuse) or the grant (revoke) decided. */
  target: string;
  agency: string;
  consumer: string;
  /** The grant the decision creates or ends. */
  grantId?: string;
}

/** A parent field the grant needs before its consumer can use it, and whether this agency can add it. */
export interface ParentFieldOffer {
  typeName: string;
  /** The granted fields of that type the consumer could not reach. */
  coordinates: readonly string[];
  /** Every parent field missing on the way; absent when no grant could open a path. */
  missing?: readonly string[];
  /** Those of `missing` this agency may add to the approval. */
  addable: readonly string[];
}

/** What the console shows before a decision is confirmed. */
export interface DecisionPreview extends PendingDecision {
  /** The window read (ISO start), the access records and distinct operations in it. */
  since: string;
  records: number;
  operations: number;
  /** Operations that no longer validate against the schema, not judged. */
  notJudged: number;
  /** The gateways write the trail to Redis Streams: only archived records were read. */
  auditFromRedis: boolean;
  changes: OutcomeChange[];
  blanked: BlankedObject[];
  /** Fields the decision's consumer asked for in recent operations, released yet under a field it is denied. */
  unreachable: UnreachableRequest[];
  parentFields: ParentFieldOffer[];
}

/**
 * The impact preview as one agency's CDO may read it: the changes a decision on that agency's
 * grant causes (which consumers' operations change outcome, which objects become null), and of the
 * fields requested under a withheld parent, only the decision's consumer's that touch the agency's
 * own fields — not every other consumer's gaps on other agencies' data. Pure.
 */
export function decisionPreview(
  decision: PendingDecision,
  replayed: { impact: PolicyImpact; since: string; records: number },
  after: PolicySet,
  auditFromRedis: boolean,
): DecisionPreview {
  const { impact } = replayed;
  const owned = (coordinate: string) =>
    (after.ownership.resolvers.get(coordinate) ?? []).includes(decision.agency) ||
    (after.ownership.types.get(coordinate.slice(0, coordinate.indexOf('.'))) ?? []).includes(decision.agency);
  const grantsOwn = (u: UnreachableGrant) => u.grant === decision.grantId;
  return {
    ...decision,
    since: replayed.since,
    records: replayed.records,
    operations: impact.operations,
    notJudged: impact.skipped.length,
    auditFromRedis,
    changes: impact.changes.filter((c) => owned(c.coordinate)),
    blanked: impact.blanked.filter((b) => owned(b.coordinate)),
    unreachable: impact.unreachable.filter(
      (u) => u.consumer === decision.consumer && (owned(u.coordinate) || u.missing.some(owned)),
    ),
    parentFields: impact.unusableGrants.filter(grantsOwn).map((u) => ({
      typeName: u.typeName,
      coordinates: u.coordinates,
      ...(u.missing ? { missing: u.missing } : {}),
      addable: (u.missing ?? []).filter((coordinate) =>
        (after.ownership.resolvers.get(coordinate) ?? []).includes(decision.agency),
      ),
    })),
  };
}
