/**
 * The sliding-window counter: requests are counted in fixed windows, and the rate at any moment
 * is the current window's count plus the previous window's, weighted by how much of it the
 * sliding window still covers. Two integers per key, no per-request log, and no burst of twice
 * the limit at a window boundary as a plain fixed window allows.
 */
export interface WindowCounts {
  /** Requests counted in the window now running. */
  current: number;
  /** Requests counted in the window before it. */
  previous: number;
}

export interface RateDecision {
  allowed: boolean;
  /** The estimated requests in the last window, this one included if allowed. */
  estimate: number;
  /** When refused: how long until a request of the same weight would be allowed. */
  retryAfterMs: number;
}

/** Where `now` falls: the running window's start, and the fraction of it already elapsed. */
export function windowPosition(now: number, windowMs: number): { start: number; elapsed: number } {
  const start = Math.floor(now / windowMs) * windowMs;
  return { start, elapsed: (now - start) / windowMs };
}

/** Pure: may a request of `weight` pass, given the counts and how far into the window `now` is? */
export function decide(
  counts: WindowCounts,
  elapsed: number,
  weight: number,
  limit: number,
  windowMs: number,
): RateDecision {
  const estimate = counts.previous * (1 - elapsed) + counts.current;
  if (estimate + weight <= limit) return { allowed: true, estimate: estimate + weight, retryAfterMs: 0 };
  return { allowed: false, estimate, retryAfterMs: retryAfter(counts, elapsed, weight, limit, windowMs) };
}

/**
 * The wait until `weight` more requests fit, assuming no others arrive meanwhile: within this
 * window the previous one's share decays; past it, this window's count becomes the one that
 * decays. A weight above the limit never fits: one full window is the answer.
 */
function retryAfter(counts: WindowCounts, elapsed: number, weight: number, limit: number, windowMs: number): number {
  if (weight > limit) return windowMs;
  const room = limit - weight;
  if (counts.current <= room && counts.previous > 0) {
    // previous × (1 − t) + current ≤ room  ⇔  t ≥ 1 − (room − current) / previous
    const at = 1 - (room - counts.current) / counts.previous;
    return Math.max(1, Math.ceil((at - elapsed) * windowMs));
  }
  // Next window: current × (1 − t) ≤ room  ⇔  t ≥ 1 − room / current
  const at = counts.current > 0 ? Math.max(0, 1 - room / counts.current) : 0;
  return Math.max(1, Math.ceil((1 - elapsed + at) * windowMs));
}
