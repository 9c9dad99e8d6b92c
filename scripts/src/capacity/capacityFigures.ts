import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { MeasuredFigures } from './capacityPlan';

/** `scripts/bench/results.json` as far as the plan reads it. */
interface BenchResults {
  date: string;
  machine: { cpus: number };
  results: { workload: string; row: string; label: string; rounds: { requestsPerSecond: number }[] }[];
}

/** `scripts/bench/capacity.json`: what `profileRows.js --capacity` measured per answer. */
export interface CapacityMeasurement {
  measuredAt: string;
  workload: string;
  requests: number;
  redisCommandsPerRequest: number;
  auditBytesPerRequest: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The plan's per-core and per-answer figures for one workload, from the last full benchmark and
 * the capacity measurement. Per core: the one-worker-on-one-core row when the run has it (scaled
 * from open to enforcing by the (d)/(c) ratio of the same run), otherwise (d) over the machine's
 * cores — conservative, since the agencies and the load generator shared them.
 */
export function readFigures(resultsFile: string, capacityFile: string, workload: string): MeasuredFigures {
  if (!existsSync(resultsFile)) throw new Error(`no benchmark results at ${resultsFile}: run \`npm run bench\` first`);
  if (!existsSync(capacityFile))
    throw new Error(
      `no capacity measurement at ${capacityFile}: run \`node scripts/dist/bench/profileRows.js --workload ${workload} --capacity ${capacityFile}\` first`,
    );
  const bench = JSON.parse(readFileSync(resultsFile, 'utf8')) as BenchResults;
  const measured = JSON.parse(readFileSync(capacityFile, 'utf8')) as CapacityMeasurement;
  const rate = (row: string) => {
    const found = bench.results.find((result) => result.workload === workload && result.row === row);
    if (!found) throw new Error(`${resultsFile} has no row (${row}) for the ${workload} workload`);
    return median(found.rounds.map((round) => round.requestsPerSecond));
  };
  const [open, enforcing, cachedRow] = [rate('c'), rate('d'), rate('e')];
  const [results, measuredFile] = [relative(process.cwd(), resultsFile), relative(process.cwd(), capacityFile)];
  const oneCore = bench.results.find((result) => result.workload === workload && /on 1 core/.test(result.label));
  const uncachedPerCore = oneCore
    ? median(oneCore.rounds.map((round) => round.requestsPerSecond)) * (enforcing / open)
    : enforcing / bench.machine.cpus;
  return {
    uncachedPerCore,
    cachedPerCore: uncachedPerCore * (cachedRow / enforcing),
    redisCommandsPerRequest: measured.redisCommandsPerRequest,
    auditBytesPerRequest: measured.auditBytesPerRequest,
    sources: [
      oneCore
        ? `uncached per core: ${oneCore.label} × (d)/(c), ${workload} workload, ${results} of ${bench.date}`
        : `uncached per core: (d) ${Math.round(enforcing)} answers/s over the bench machine's ${bench.machine.cpus} cores (no one-core row in ${results} of ${bench.date}; conservative: the agencies and the load generator shared those cores)`,
      `cached per core: the uncached figure × (e)/(d) = ${(cachedRow / enforcing).toFixed(1)}, same run`,
      `Redis commands and audit bytes per answer: ${measuredFile}, measured ${measured.measuredAt} over ${measured.requests.toLocaleString('en')} answers of the ${measured.workload} workload`,
    ],
  };
}
