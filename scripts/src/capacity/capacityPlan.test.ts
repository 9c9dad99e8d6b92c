import { planCapacity, type CityInputs, type MeasuredFigures } from './capacityPlan';

const figures: MeasuredFigures = {
  uncachedPerCore: 100,
  cachedPerCore: 1000,
  redisCommandsPerRequest: 6,
  auditBytesPerRequest: 1000,
  sources: ['test figures'],
};

const city: CityInputs = {
  agencies: 50,
  peakRequestsPerSecond: 2000,
  cachedShare: 0.5,
  peakToAverage: 4,
  targetUtilisation: 0.5,
  coresPerGateway: 4,
  auditRetentionDays: 30,
  redisCommandsPerInstance: 5000,
};

it('plans cores from the uncached and cached shares, gateways with one to lose, Redis and audit disk', () => {
  const plan = planCapacity(city, figures);
  // 1000/s uncached at 100 per core = 10 cores, 1000/s cached at 1000 = 1 core: 11 busy, 22 at 50 %.
  expect(plan.gatewayCores).toBe(22);
  // 22 cores / 4 per machine = 6 machines, plus one.
  expect(plan.gateways).toBe(7);
  expect(plan.redisCommandsPerSecond).toBe(12_000);
  expect(plan.redisInstances).toBe(3);
  // 500 answers/s on average × 86,400 s × 1000 bytes.
  expect(plan.auditBytesPerDay).toBe(43_200_000_000);
  expect(plan.auditBytesKept).toBe(30 * 43_200_000_000);
  expect(plan.lines.join('\n')).toContain('| gateways (4 workers each) | 7 |');
  expect(plan.lines.at(-1)).toBe('- test figures');
});

it('never plans fewer than two gateways or one Redis', () => {
  const plan = planCapacity({ ...city, peakRequestsPerSecond: 1, agencies: 1 }, figures);
  expect(plan.gateways).toBe(2);
  expect(plan.redisInstances).toBe(1);
});
