/** Where a wait reads the time and how it pauses: the real clock, or a test's own. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface UntilOptions {
  /** What is awaited, for the error when it never comes ("the tail reached the end of the trail"). */
  what?: string;
  clock?: Clock;
}

/**
 * The one way e2e tests wait: polls `check` (every `intervalMs`) until it holds and resolves how
 * long that took; rejects after `timeoutMs`, naming what never came. Tests wait for a condition
 * they can observe, never for a fixed time.
 */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  intervalMs = 50,
  options: UntilOptions = {},
): Promise<number> {
  const clock = options.clock ?? realClock;
  const started = clock.now();
  while (!(await check())) {
    if (clock.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms${options.what ? ` waiting for ${options.what}` : ''}`);
    await clock.sleep(intervalMs);
  }
  return clock.now() - started;
}
