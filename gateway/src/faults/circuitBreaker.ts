/**
 * The circuit breaker of one subgraph, as pure transitions of a state (Nygard, "Release It!",
 * ch. 5): closed → open after `failureThreshold` consecutive failed calls; open refuses calls
 * without sending them for `coolDownMs`; then half-open lets one trial call through, whose outcome
 * closes the circuit or opens it again for another cool-down.
 *
 * Consecutive failures rather than a failure rate in a window: a subgraph that is down fails every
 * call, so a run of failures finds it within `failureThreshold` calls whatever the traffic; a rate
 * needs a minimum volume per window to mean anything, and at the hub's modest traffic it would
 * either never trip or trip on two failures out of three. One success in between resets the count,
 * so a subgraph that merely fails now and then keeps its circuit closed.
 */
export type CircuitState =
  | { readonly state: 'closed'; readonly consecutiveFailures: number }
  | { readonly state: 'open'; readonly openedAt: number; readonly consecutiveFailures: number }
  | { readonly state: 'half-open'; readonly trialStartedAt: number; readonly consecutiveFailures: number };

export type CircuitStateName = CircuitState['state'];

export const CIRCUIT_STATES: readonly CircuitStateName[] = ['closed', 'open', 'half-open'];

export interface CircuitSettings {
  /** Consecutive failed calls that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit refuses calls before it lets a trial through. */
  coolDownMs: number;
  /**
   * How long a trial may stay unsettled before another is let through. The data source settles
   * every call within its timeout, so this only guards against a trial that is never settled.
   */
  trialDeadlineMs: number;
}

export const CLOSED: CircuitState = { state: 'closed', consecutiveFailures: 0 };

/** Whether a call may be sent now; `trial` marks the one call a half-open circuit lets through. */
export type Admission =
  { admitted: true; trial: boolean; next: CircuitState } | { admitted: false; retryInMs: number; next: CircuitState };

export function admitCall(circuit: CircuitState, now: number, settings: CircuitSettings): Admission {
  switch (circuit.state) {
    case 'closed':
      return { admitted: true, trial: false, next: circuit };
    case 'open': {
      const waited = now - circuit.openedAt;
      if (waited < settings.coolDownMs)
        return { admitted: false, retryInMs: settings.coolDownMs - waited, next: circuit };
      return {
        admitted: true,
        trial: true,
        next: { state: 'half-open', trialStartedAt: now, consecutiveFailures: circuit.consecutiveFailures },
      };
    }
    case 'half-open': {
      const waited = now - circuit.trialStartedAt;
      if (waited < settings.trialDeadlineMs)
        return { admitted: false, retryInMs: settings.trialDeadlineMs - waited, next: circuit };
      return { admitted: true, trial: true, next: { ...circuit, trialStartedAt: now } };
    }
    default:
      return assertNever(circuit);
  }
}

/**
 * The state after a call settles. Only the trial decides a half-open circuit; a call admitted
 * before the circuit opened that settles while it is open changes nothing (a late success does
 * not close it, a late failure does not extend the cool-down).
 */
export function settleCall(
  circuit: CircuitState,
  outcome: 'success' | 'failure',
  trial: boolean,
  now: number,
  settings: CircuitSettings,
): CircuitState {
  switch (circuit.state) {
    case 'closed':
      if (outcome === 'success') return circuit.consecutiveFailures === 0 ? circuit : CLOSED;
      return circuit.consecutiveFailures + 1 >= settings.failureThreshold
        ? { state: 'open', openedAt: now, consecutiveFailures: circuit.consecutiveFailures + 1 }
        : { state: 'closed', consecutiveFailures: circuit.consecutiveFailures + 1 };
    case 'open':
      return circuit;
    case 'half-open':
      if (!trial) return circuit;
      return outcome === 'success'
        ? CLOSED
        : { state: 'open', openedAt: now, consecutiveFailures: circuit.consecutiveFailures + 1 };
    default:
      return assertNever(circuit);
  }
}

function assertNever(value: never): never {
  throw new Error(`unknown circuit state ${JSON.stringify(value)}`);
}
