/**
 * What a city's hub needs, from figures measured on the bench machine: a pure function of the
 * city's inputs and the measurements, so the plan's arithmetic is tested apart from the files.
 */

/** Per-request figures measured with the benchmark (`scripts/bench/results.json`, `capacity.json`). */
export interface MeasuredFigures {
  /** Answers per second one gateway core gives when nothing is cached (policies enforced, audit on). */
  uncachedPerCore: number;
  /** Answers per second one gateway core gives from a warm cache. */
  cachedPerCore: number;
  /** Redis commands per answer, with the cache and rate limits on Redis. */
  redisCommandsPerRequest: number;
  /** Bytes of audit trail per answer (records and the operation store). */
  auditBytesPerRequest: number;
  /** Where each figure came from, printed with the plan. */
  sources: string[];
}

/** What the city expects. */
export interface CityInputs {
  agencies: number;
  /** Answers per second at the busiest moment. */
  peakRequestsPerSecond: number;
  /** Share of answers served from the cache (0–1). */
  cachedShare: number;
  /** Peak over the day's average rate (a day's traffic is the average × 86,400 s). */
  peakToAverage: number;
  /** How busy a core may be at peak (0–1), leaving room for a failed machine and bursts. */
  targetUtilisation: number;
  /** Cores per gateway machine (workers per gateway). */
  coresPerGateway: number;
  /** Days of audit trail kept on the gateways' disks before archiving. */
  auditRetentionDays: number;
  /** Commands per second one Redis instance is planned for (a single-threaded server). */
  redisCommandsPerInstance: number;
}

export interface CapacityPlan {
  gatewayCores: number;
  gateways: number;
  redisCommandsPerSecond: number;
  redisInstances: number;
  auditBytesPerDay: number;
  auditBytesKept: number;
  /** Each agency's subgraph at the peak, if traffic spread evenly (a floor: hot agencies take more). */
  subgraphCallsPerAgencyPerSecond: number;
  lines: string[];
}

/** Subgraph calls per answer on the cross-agency workload before sharing (the profile's count). */
const CALLS_PER_REQUEST = 3.3;

export function planCapacity(city: CityInputs, figures: MeasuredFigures): CapacityPlan {
  const uncached = city.peakRequestsPerSecond * (1 - city.cachedShare);
  const cached = city.peakRequestsPerSecond * city.cachedShare;
  const busyCores = uncached / figures.uncachedPerCore + cached / figures.cachedPerCore;
  const gatewayCores = Math.ceil(busyCores / city.targetUtilisation);
  // One machine more than the load needs, so losing one at peak keeps the plan (N+1), and never fewer than two.
  const gateways = Math.max(2, Math.ceil(gatewayCores / city.coresPerGateway) + 1);
  const redisCommandsPerSecond = city.peakRequestsPerSecond * figures.redisCommandsPerRequest;
  const redisInstances = Math.max(1, Math.ceil(redisCommandsPerSecond / city.redisCommandsPerInstance));
  const averageRate = city.peakRequestsPerSecond / city.peakToAverage;
  const auditBytesPerDay = averageRate * 86_400 * figures.auditBytesPerRequest;
  const auditBytesKept = auditBytesPerDay * city.auditRetentionDays;
  const subgraphCallsPerAgencyPerSecond = (uncached * CALLS_PER_REQUEST) / city.agencies;
  const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;
  const lines = [
    `For ${city.agencies} agencies and ${city.peakRequestsPerSecond.toLocaleString('en')} answers/s at peak (${Math.round(city.cachedShare * 100)} % from the cache):`,
    '',
    '| what | plan | from |',
    '| --- | --- | --- |',
    `| gateway cores busy at peak | ${busyCores.toFixed(1)} | ${Math.round(uncached)} uncached answers/s at ${Math.round(figures.uncachedPerCore)} per core, ${Math.round(cached)} cached at ${Math.round(figures.cachedPerCore)} per core |`,
    `| gateway cores planned | ${gatewayCores} | at ${Math.round(city.targetUtilisation * 100)} % busy at peak |`,
    `| gateways (${city.coresPerGateway} workers each) | ${gateways} | the cores, plus one machine to lose (N+1), at least two |`,
    `| Redis commands/s at peak | ${Math.round(redisCommandsPerSecond).toLocaleString('en')} | ${figures.redisCommandsPerRequest.toFixed(1)} per answer (cache, rate limits) |`,
    `| cache Redis instances | ${redisInstances} | at ${city.redisCommandsPerInstance.toLocaleString('en')} commands/s each; audit, witness, grant store, registry and nonce Redis are apart and small |`,
    `| audit trail per day | ${gb(auditBytesPerDay)} | ${Math.round(figures.auditBytesPerRequest)} bytes per answer, ${Math.round(averageRate)} answers/s on average (peak / ${city.peakToAverage}) |`,
    `| audit trail kept | ${gb(auditBytesKept)} | ${city.auditRetentionDays} days on the gateways' disks, spread over their chains, before archiving |`,
    `| calls per agency subgraph at peak | ${Math.round(subgraphCallsPerAgencyPerSecond)}/s | ${CALLS_PER_REQUEST} calls per uncached cross-agency answer, spread over ${city.agencies} agencies (a floor: sharing in flight lowers it, a popular agency takes more) |`,
    '',
    'Measured figures:',
    ...figures.sources.map((source) => `- ${source}`),
  ];
  return {
    gatewayCores,
    gateways,
    redisCommandsPerSecond,
    redisInstances,
    auditBytesPerDay,
    auditBytesKept,
    subgraphCallsPerAgencyPerSecond,
    lines,
  };
}
