import fc from 'fast-check';
import { decide, windowPosition } from './slidingWindow';

const MINUTE = 60_000;

describe('sliding-window counter', () => {
  it('allows up to the limit in a fresh window and refuses the next request', () => {
    expect(decide({ current: 9, previous: 0 }, 0.5, 1, 10, MINUTE)).toMatchObject({ allowed: true, estimate: 10 });
    expect(decide({ current: 10, previous: 0 }, 0.5, 1, 10, MINUTE)).toMatchObject({ allowed: false });
  });

  it('weights the previous window by the share the sliding window still covers', () => {
    // A quarter into the window: 3/4 of the previous window's 8 requests still count (6), plus 3.
    expect(decide({ current: 3, previous: 8 }, 0.25, 1, 10, MINUTE)).toMatchObject({ allowed: true, estimate: 10 });
    expect(decide({ current: 4, previous: 8 }, 0.25, 1, 10, MINUTE)).toMatchObject({ allowed: false, estimate: 10 });
  });

  it('says how long to wait: while the previous window decays, or into the next one', () => {
    // 8 × (1 − t) + 4 ≤ 9 ⇒ t ≥ 0.375; now at 0.25 ⇒ an eighth of a minute.
    expect(decide({ current: 4, previous: 8 }, 0.25, 1, 10, MINUTE).retryAfterMs).toBe(7_500);
    // This window is full: next window, once 10 × (1 − t) ≤ 9 ⇒ t ≥ 0.1; now at 0.5 ⇒ 0.6 of a minute.
    expect(decide({ current: 10, previous: 0 }, 0.5, 1, 10, MINUTE).retryAfterMs).toBe(36_000);
    expect(decide({ current: 0, previous: 0 }, 0.5, 11, 10, MINUTE).retryAfterMs).toBe(MINUTE);
  });

  it('never admits more than the limit in any window-long span, and its wait is always enough', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 3 * MINUTE }), { minLength: 1, maxLength: 300 }),
        (limit, offsets) => {
          const times = [...offsets].sort((a, b) => a - b);
          const windows = new Map<number, number>();
          const admitted: number[] = [];
          for (const now of times) {
            const { start, elapsed } = windowPosition(now, MINUTE);
            const counts = { current: windows.get(start) ?? 0, previous: windows.get(start - MINUTE) ?? 0 };
            const decision = decide(counts, elapsed, 1, limit, MINUTE);
            if (decision.allowed) {
              windows.set(start, counts.current + 1);
              admitted.push(now);
            } else {
              // Waiting as told, with nothing else arriving, the same request passes.
              const later = now + decision.retryAfterMs;
              const position = windowPosition(later, MINUTE);
              const laterCounts = {
                current: windows.get(position.start) ?? 0,
                previous: windows.get(position.start - MINUTE) ?? 0,
              };
              expect(decide(laterCounts, position.elapsed, 1, limit, MINUTE).allowed).toBe(true);
            }
          }
          // The approximation bounds any aligned window at the limit, and any sliding one at twice it.
          for (const [, count] of windows) expect(count).toBeLessThanOrEqual(limit);
          for (const t of admitted)
            expect(admitted.filter((u) => u > t - MINUTE && u <= t).length).toBeLessThanOrEqual(2 * limit);
        },
      ),
      { numRuns: 200 },
    );
  });
});
