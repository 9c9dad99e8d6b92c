import { decideRestart, DEFAULT_RESTART_POLICY } from './restartPolicy';
import { loadGatewayConfig } from '../config';
import { availableParallelism } from 'node:os';

describe('restarting a worker that died', () => {
  const now = 1_000_000;

  it('restarts at once the first time, and waits longer while it keeps crashing', () => {
    expect(decideRestart({ crashes: [now], failedStarts: 0 }, now)).toEqual({ restart: true, delayMs: 100 });
    expect(decideRestart({ crashes: [now - 2000, now - 1000, now], failedStarts: 0 }, now)).toEqual({
      restart: true,
      delayMs: 400,
    });
    const many = Array.from({ length: 20 }, (_, i) => now - i * 100);
    expect(decideRestart({ crashes: many, failedStarts: 0 }, now)).toEqual({
      restart: true,
      delayMs: DEFAULT_RESTART_POLICY.maxDelayMs,
    });
  });

  it('forgets crashes older than its memory', () => {
    expect(decideRestart({ crashes: [now - 120_000, now - 90_000, now], failedStarts: 0 }, now)).toEqual({
      restart: true,
      delayMs: 100,
    });
  });

  it('gives up on a worker that never gets ready', () => {
    expect(decideRestart({ crashes: [now], failedStarts: 4 }, now).restart).toBe(true);
    expect(decideRestart({ crashes: [now], failedStarts: 5 }, now)).toEqual({
      restart: false,
      reason: 'it exited 5 times in a row before it was ready',
    });
  });
});

describe('GATEWAY_WORKERS', () => {
  it('is one process unless set, and the cores available in production', () => {
    expect(loadGatewayConfig({}).workers).toBe(1);
    expect(loadGatewayConfig({ NODE_ENV: 'production' }).workers).toBe(availableParallelism());
    expect(loadGatewayConfig({ NODE_ENV: 'production', GATEWAY_WORKERS: '3' }).workers).toBe(3);
    expect(() => loadGatewayConfig({ GATEWAY_WORKERS: '0' })).toThrow(/GATEWAY_WORKERS/);
  });
});
