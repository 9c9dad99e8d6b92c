import { until, type Clock } from './until';

// The one polling helper, on a clock of the test's own: no real time passes.

/** A clock that moves only when the waiter sleeps. */
function manualClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe('until', () => {
  it('resolves how long the condition took, polling at the interval', async () => {
    const clock = manualClock();
    let checks = 0;
    expect(await until(() => ++checks === 4, 1000, 50, { clock })).toBe(150);
    expect(clock.slept).toEqual([50, 50, 50]);
  });

  it('resolves at once when the condition already holds', async () => {
    const clock = manualClock();
    expect(await until(async () => true, 1000, 50, { clock })).toBe(0);
    expect(clock.slept).toEqual([]);
  });

  it('rejects after the timeout, naming what never came', async () => {
    const clock = manualClock();
    await expect(until(() => false, 200, 50, { clock, what: 'the log lines of request r-1' })).rejects.toThrow(
      'timed out after 200 ms waiting for the log lines of request r-1',
    );
    expect(clock.now()).toBeLessThanOrEqual(250);
  });

  it('passes on an error the condition throws', async () => {
    await expect(
      until(() => Promise.reject(new Error('the hub exited')), 1000, 50, { clock: manualClock() }),
    ).rejects.toThrow('the hub exited');
  });
});
