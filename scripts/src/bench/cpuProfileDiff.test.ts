import { compareProfiles, perRequest } from './cpuProfileDiff';
import type { CpuProfile } from './cpuProfileTop';

/** A profile of a root calling `shape` (which calls `walk`), sampled every 100 µs. */
function profile(samples: { shape: number; walk: number; idle: number }): CpuProfile {
  const frame = (functionName: string, url = 'file:///repo/gateway/dist/enforcement/shape.js') => ({
    functionName,
    url,
    lineNumber: 1,
  });
  const ids = [
    ...Array<number>(samples.shape).fill(2),
    ...Array<number>(samples.walk).fill(3),
    ...Array<number>(samples.idle).fill(4),
  ];
  return {
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2, 4] },
      { id: 2, callFrame: frame('shape'), children: [3] },
      { id: 3, callFrame: frame('walk') },
      { id: 4, callFrame: frame('(idle)', '') },
    ],
    startTime: 0,
    endTime: ids.length * 100,
    samples: ids,
    timeDeltas: ids.map(() => 100),
  };
}

it('puts two runs side by side per request, by self time and with callees', () => {
  // a: 10 requests, shape 2 ms of its own and walk 3 ms; b: 20 requests, shape 1 ms, walk 1 ms.
  const a = profile({ shape: 20, walk: 30, idle: 50 });
  const b = profile({ shape: 10, walk: 10, idle: 80 });
  const self = compareProfiles(perRequest(a, 10, Infinity, 'self'), perRequest(b, 20, Infinity, 'self'), {
    top: 5,
    mode: 'self',
  });
  expect(self[0]).toBe('busy µs per request: a 500, b 100 (-400)');
  // Largest change first: walk 300 → 50 µs per request, then shape 200 → 50.
  expect(self[3]).toMatch(/^\s+300\.0\s+50\.0\s+-250\.0 {2}walk {2}gateway\/dist\/enforcement\/shape\.js$/);
  expect(self[4]).toMatch(/^\s+200\.0\s+50\.0\s+-150\.0 {2}shape /);
  const total = compareProfiles(perRequest(a, 10, Infinity, 'total'), perRequest(b, 20, Infinity, 'total'), {
    top: 5,
    mode: 'total',
    filter: 'gateway/dist',
  });
  // shape includes walk: 500 → 100 µs per request; the root and idle are filtered out.
  expect(total.slice(3)).toEqual([
    expect.stringMatching(/^\s+500\.0\s+100\.0\s+-400\.0 {2}shape /),
    expect.stringMatching(/^\s+300\.0\s+50\.0\s+-250\.0 {2}walk /),
  ]);
});
