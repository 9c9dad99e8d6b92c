import type { CacheOutcome } from '../cache';
import type { OperationView } from '../enforcement';
import type { PolicySet } from '../policy';
import type { GatewayContext } from './gatewayContext';

/**
 * What one operation ran under, written by its one owner — the hub gateway's executor — and read
 * by the subgraph calls (row scopes, fetch cache), the HTTP caching decision, the audit trail and
 * the request log.
 */
export interface OperationRun {
  /** The supergraph the operation was validated and executed against. */
  readonly supergraphVersion: string;
  /** Absent in `--open` mode and for an operation refused before its view was decided. */
  readonly decided?: DecidedView;
}

export interface DecidedView {
  readonly policySet: PolicySet;
  /** The gateway's clock when the view was decided (grant expiry bounds cache TTLs from it). */
  readonly decidedAt: number;
  /** The fields released, masked and withheld, the grants and the row scopes. */
  readonly view: OperationView;
  /** Per agency, the records of its data the answer carried; set once the answer is shaped. */
  readonly entities?: Readonly<Record<string, number>>;
  /** What the response cache did, when it was asked. */
  readonly cache?: CacheOutcome;
  /**
   * The case reference the view was decided for (`x-case-id`, well-formed), whether or not a grant
   * asked for it: the audit record, the agencies' signed claims and a receipt name it.
   */
  readonly caseId?: string;
}

/**
 * The runs of the operations in flight, keyed by their context: Apollo Server gives each
 * operation (each member of a batch too) its own shallow copy of the context, the same object
 * the executor, the subgraph calls and the plugins see. Only the executor holding it writes.
 */
export class OperationRuns {
  private readonly runs = new WeakMap<GatewayContext, OperationRun>();

  of(context: GatewayContext): OperationRun | undefined {
    return this.runs.get(context);
  }

  record(context: GatewayContext, run: OperationRun): void {
    this.runs.set(context, run);
  }
}
