import { Option, type Command } from 'commander';
import { join } from 'node:path';
import { positiveNumber } from '../commandLine/arguments';

/** scripts/bench, from scripts/dist/capacity: the figures are committed there. */
const BENCH_DIR = join(__dirname, '..', '..', 'bench');

const share = (value: string) => {
  const number = Number(value);
  if (!(number >= 0 && number <= 1)) throw new Error('a share from 0 to 1');
  return number;
};

/** `hub capacity`: the plan for a city, from the benchmark's measured figures. */
export function registerCapacityCommands(program: Command): void {
  program
    .command('capacity')
    .description(
      "what a city's hub needs (gateways, Redis, audit disk) for its agencies and peak load, from measured figures",
    )
    .option('--agencies <n>', 'agencies publishing subgraphs', positiveNumber, 50)
    .option('--peak <n>', 'answers per second at the busiest moment', positiveNumber, 2000)
    .option('--cached-share <0-1>', 'share of answers served from the cache', share, 0.5)
    .option('--peak-to-average <n>', "peak over the day's average rate", positiveNumber, 3)
    .option('--utilisation <0-1>', 'how busy a gateway core may be at peak', share, 0.6)
    .option('--cores-per-gateway <n>', 'cores (workers) per gateway machine', positiveNumber, 4)
    .option('--audit-days <n>', "days of audit trail kept on the gateways' disks", positiveNumber, 90)
    .option('--redis-commands <n>', 'commands per second planned per Redis instance', positiveNumber, 50_000)
    .addOption(
      new Option('--workload <name>', 'the benchmark workload the figures come from')
        .choices(['single-agency', 'cross-agency', 'mixed-views', 'demo'])
        .default('cross-agency'),
    )
    .option('--results <file>', 'benchmark results (default: scripts/bench/results.json)')
    .option('--measured <file>', 'per-answer measurement (default: scripts/bench/capacity.json)')
    .action(
      async (options: {
        agencies: number;
        peak: number;
        cachedShare: number;
        peakToAverage: number;
        utilisation: number;
        coresPerGateway: number;
        auditDays: number;
        redisCommands: number;
        workload: string;
        results?: string;
        measured?: string;
      }) => {
        const { planCapacity } = await import('./capacityPlan.js');
        const { readFigures } = await import('./capacityFigures.js');
        const plan = planCapacity(
          {
            agencies: options.agencies,
            peakRequestsPerSecond: options.peak,
            cachedShare: options.cachedShare,
            peakToAverage: options.peakToAverage,
            targetUtilisation: options.utilisation,
            coresPerGateway: options.coresPerGateway,
            auditRetentionDays: options.auditDays,
            redisCommandsPerInstance: options.redisCommands,
          },
          readFigures(
            options.results ?? join(BENCH_DIR, 'results.json'),
            options.measured ?? join(BENCH_DIR, 'capacity.json'),
            options.workload,
          ),
        );
        console.log(plan.lines.join('\n'));
      },
    );
}
