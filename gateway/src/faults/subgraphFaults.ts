import {
  admitCall,
  CLOSED,
  settleCall,
  type CircuitSettings,
  type CircuitState,
  type CircuitStateName,
} from './circuitBreaker';
import type { FailureReason, SubgraphFailure } from './classifyFailure';

export interface SubgraphFaultSettings {
  /** Consecutive failed calls that open a subgraph's circuit. */
  failureThreshold: number;
  /** How long an open circuit refuses calls before one trial call. */
  coolDownMs: number;
}

/** What happens to the calls, for metrics and logs; every hook is optional. */
export interface SubgraphFaultObserver {
  /** A call was sent and settled: `failure` is absent when the subgraph answered (GraphQL errors in a 200 are an answer). */
  callSettled?(subgraph: string, seconds: number, failure: SubgraphFailure | undefined): void;
  /** A call was not sent because the circuit is open. */
  callRefused?(subgraph: string): void;
  /** A circuit changed state; `from` is absent when the subgraph is first tracked (closed). */
  circuitChanged?(
    subgraph: string,
    from: CircuitStateName | undefined,
    to: CircuitStateName,
    cause: CircuitChangeCause,
  ): void;
}

/** What moved a circuit: a failure (by reason), a trial's success, a cool-down over, or a subgraph first tracked. */
export type CircuitChangeCause = FailureReason | 'trial-succeeded' | 'trial-due' | 'tracked';

/** A subgraph's state as `/readyz` shows it. */
export interface SubgraphFaultReport {
  circuit: CircuitStateName;
  consecutiveFailures: number;
  /** When the circuit last opened (ISO 8601), while it is open or half-open. */
  openedAt?: string;
  /** The last call that was sent: when, how long it took, and whether the subgraph answered. */
  lastCall?: { at: string; latencyMs: number; ok: boolean };
  /** The most recent failures, newest first (at most `RECENT_FAILURES`). */
  recentFailures: { at: string; reason: FailureReason }[];
}

/** An admitted call: settle it exactly once, with its failure or none. */
export interface AdmittedCall {
  admitted: true;
  settle(failure?: SubgraphFailure): void;
}

export const RECENT_FAILURES = 10;

interface Tracked {
  circuit: CircuitState;
  settings: CircuitSettings;
  openedAt?: number;
  lastCall?: { at: number; latencyMs: number; ok: boolean };
  recentFailures: { at: number; reason: FailureReason }[];
}

/**
 * The circuits of every subgraph the gateway calls, and their recent history. One instance per
 * gateway, shared by the data sources of every supergraph it serves, so a supergraph switch keeps
 * what is known about each agency. The decisions are `admitCall` / `settleCall`; this only keeps
 * their state per subgraph and tells the observer.
 */
export class SubgraphFaults {
  private readonly tracked = new Map<string, Tracked>();

  constructor(
    private readonly settings: SubgraphFaultSettings,
    private readonly observer: SubgraphFaultObserver = {},
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts tracking a subgraph (its circuit closed) or updates its call deadline; idempotent. */
  track(subgraph: string, timeoutMs: number): void {
    const settings: CircuitSettings = {
      ...this.settings,
      trialDeadlineMs: Math.max(this.settings.coolDownMs, timeoutMs),
    };
    const known = this.tracked.get(subgraph);
    if (known) {
      known.settings = settings;
      return;
    }
    this.tracked.set(subgraph, { circuit: CLOSED, settings, recentFailures: [] });
    this.observer.circuitChanged?.(subgraph, undefined, 'closed', 'tracked');
  }

  /** Whether a call to the subgraph may be sent now; an admitted call must be settled. */
  admit(subgraph: string): AdmittedCall | { admitted: false; retryInMs: number } {
    const entry = this.entry(subgraph);
    const admission = admitCall(entry.circuit, this.now(), entry.settings);
    this.move(subgraph, entry, admission.next, 'trial-due');
    if (!admission.admitted) {
      this.observer.callRefused?.(subgraph);
      return { admitted: false, retryInMs: admission.retryInMs };
    }
    const started = this.now();
    let settled = false;
    return {
      admitted: true,
      settle: (failure) => {
        if (settled) return;
        settled = true;
        const now = this.now();
        entry.lastCall = { at: now, latencyMs: now - started, ok: !failure };
        if (failure)
          entry.recentFailures = [{ at: now, reason: failure.reason }, ...entry.recentFailures].slice(
            0,
            RECENT_FAILURES,
          );
        this.observer.callSettled?.(subgraph, (now - started) / 1000, failure);
        const outcome = failure?.tripsCircuit ? 'failure' : 'success';
        this.move(
          subgraph,
          entry,
          settleCall(entry.circuit, outcome, admission.trial, now, entry.settings),
          failure?.reason ?? 'trial-succeeded',
        );
      },
    };
  }

  report(subgraph: string): SubgraphFaultReport {
    const entry = this.entry(subgraph);
    return {
      circuit: entry.circuit.state,
      consecutiveFailures: entry.circuit.consecutiveFailures,
      ...(entry.openedAt !== undefined && entry.circuit.state !== 'closed'
        ? { openedAt: new Date(entry.openedAt).toISOString() }
        : {}),
      ...(entry.lastCall ? { lastCall: { ...entry.lastCall, at: new Date(entry.lastCall.at).toISOString() } } : {}),
      recentFailures: entry.recentFailures.map(({ at, reason }) => ({ at: new Date(at).toISOString(), reason })),
    };
  }

  private entry(subgraph: string): Tracked {
    if (!this.tracked.has(subgraph)) this.track(subgraph, this.settings.coolDownMs);
    return this.tracked.get(subgraph)!;
  }

  private move(subgraph: string, entry: Tracked, next: CircuitState, cause: CircuitChangeCause): void {
    const from = entry.circuit.state;
    entry.circuit = next;
    if (next.state === 'open' && from !== 'open') entry.openedAt = next.openedAt;
    if (from !== next.state) this.observer.circuitChanged?.(subgraph, from, next.state, cause);
  }
}
