import { admitCall, CLOSED, settleCall, type CircuitSettings, type CircuitState } from './circuitBreaker';

const settings: CircuitSettings = { failureThreshold: 3, coolDownMs: 1000, trialDeadlineMs: 5000 };

/** Settles `count` failed calls admitted while closed. */
function fail(circuit: CircuitState, count: number, now = 0): CircuitState {
  for (let i = 0; i < count; i++) circuit = settleCall(circuit, 'failure', false, now, settings);
  return circuit;
}

describe('closed', () => {
  it('admits every call', () => {
    expect(admitCall(CLOSED, 0, settings)).toEqual({ admitted: true, trial: false, next: CLOSED });
  });

  it('counts consecutive failures and opens at the threshold, not before', () => {
    expect(fail(CLOSED, 2)).toEqual({ state: 'closed', consecutiveFailures: 2 });
    expect(fail(CLOSED, 3, 42)).toEqual({ state: 'open', openedAt: 42, consecutiveFailures: 3 });
  });

  it('forgets the failures at the first success', () => {
    const twice = fail(CLOSED, 2);
    expect(settleCall(twice, 'success', false, 0, settings)).toEqual(CLOSED);
    expect(fail(settleCall(twice, 'success', false, 0, settings), 2).state).toBe('closed');
  });

  it('opens at once with a threshold of 1', () => {
    expect(settleCall(CLOSED, 'failure', false, 7, { ...settings, failureThreshold: 1 })).toMatchObject({
      state: 'open',
      openedAt: 7,
    });
  });
});

describe('open', () => {
  const open = fail(CLOSED, 3, 1000);

  it('refuses calls until the cool-down is over, saying how long is left', () => {
    expect(admitCall(open, 1000, settings)).toEqual({ admitted: false, retryInMs: 1000, next: open });
    expect(admitCall(open, 1999, settings)).toMatchObject({ admitted: false, retryInMs: 1 });
  });

  it('lets one trial through once the cool-down is over, and goes half-open', () => {
    expect(admitCall(open, 2000, settings)).toEqual({
      admitted: true,
      trial: true,
      next: { state: 'half-open', trialStartedAt: 2000, consecutiveFailures: 3 },
    });
  });

  it('ignores late outcomes of calls admitted before it opened', () => {
    expect(settleCall(open, 'success', false, 1500, settings)).toBe(open);
    expect(settleCall(open, 'failure', false, 1500, settings)).toBe(open);
  });
});

describe('half-open', () => {
  const halfOpen = admitCall(fail(CLOSED, 3, 0), 1000, settings).next;

  it('refuses every other call while the trial runs', () => {
    expect(admitCall(halfOpen, 1001, settings)).toMatchObject({ admitted: false });
    expect(admitCall(halfOpen, 5999, settings)).toMatchObject({ admitted: false });
  });

  it('closes when the trial succeeds', () => {
    expect(settleCall(halfOpen, 'success', true, 1100, settings)).toEqual(CLOSED);
  });

  it('opens again, for a new cool-down, when the trial fails', () => {
    const reopened = settleCall(halfOpen, 'failure', true, 1100, settings);
    expect(reopened).toEqual({ state: 'open', openedAt: 1100, consecutiveFailures: 4 });
    expect(admitCall(reopened, 2099, settings).admitted).toBe(false);
    expect(admitCall(reopened, 2100, settings)).toMatchObject({ admitted: true, trial: true });
  });

  it('is decided by the trial only, not by a late call admitted while closed', () => {
    expect(settleCall(halfOpen, 'success', false, 1100, settings)).toBe(halfOpen);
    expect(settleCall(halfOpen, 'failure', false, 1100, settings)).toBe(halfOpen);
  });

  it('lets another trial through when the first was never settled', () => {
    expect(admitCall(halfOpen, 1000 + settings.trialDeadlineMs, settings)).toMatchObject({
      admitted: true,
      trial: true,
      next: { state: 'half-open', trialStartedAt: 6000 },
    });
  });
});
