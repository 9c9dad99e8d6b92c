/** How the primary treats a worker that exited without being asked to. */
export interface RestartPolicy {
  /** A worker that dies this many times in a row before it is ready: the gateway cannot start (exit 1). */
  maxFailedStarts: number;
  /** The first restart's wait; doubled per recent crash… */
  baseDelayMs: number;
  /** …up to this. */
  maxDelayMs: number;
  /** Crashes older than this no longer lengthen the wait. */
  memoryMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  maxFailedStarts: 5,
  baseDelayMs: 100,
  maxDelayMs: 10_000,
  memoryMs: 60_000,
};

export type RestartDecision = { restart: true; delayMs: number } | { restart: false; reason: string };

/**
 * Pure: restart a worker slot, and after how long? `crashes` are the slot's past exits (times, ms),
 * this one included; `failedStarts` counts the exits in a row before the worker was ever ready.
 * A worker that cannot start (a taken port, a trail it refuses to open) would otherwise be
 * restarted for ever; one that crashes now and then is restarted at once the first time and more
 * slowly while it keeps crashing.
 */
export function decideRestart(
  slot: { crashes: readonly number[]; failedStarts: number },
  now: number,
  policy: RestartPolicy = DEFAULT_RESTART_POLICY,
): RestartDecision {
  if (slot.failedStarts >= policy.maxFailedStarts)
    return { restart: false, reason: `it exited ${slot.failedStarts} times in a row before it was ready` };
  const recent = slot.crashes.filter((time) => now - time < policy.memoryMs).length;
  const delayMs = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, recent - 1));
  return { restart: true, delayMs };
}
