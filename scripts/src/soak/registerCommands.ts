import type { Command } from 'commander';
import { positiveNumber } from '../commandLine/arguments';

/** `hub soak`: long mixed load on the whole hub. */
export function registerSoakCommands(program: Command): void {
  program
    .command('soak')
    .description(
      "mixed load on the whole hub (Redis off) for N minutes, sampling the gateway's RSS and heap; writes scripts/bench/SOAK.md (not run in CI)",
    )
    .option('--minutes <n>', 'how long to load the hub', positiveNumber, 10)
    .option('--connections <n>', 'concurrent connections', (value) => Math.round(positiveNumber(value)), 10)
    .action(async (options: { minutes: number; connections: number }) => {
      const { SOAK_FILE, SOAK_JSON, renderSoak, writeSoak } = await import('./report.js');
      const { runSoak } = await import('./runSoak.js');
      const report = await runSoak({
        minutes: options.minutes,
        connections: options.connections,
        log: (line) => console.log(line),
      });
      writeSoak(report);
      console.log(`\n${renderSoak(report)}`);
      console.log(`written to ${SOAK_FILE} and ${SOAK_JSON}`);
      process.exitCode = report.totals.failures ? 1 : 0;
    });
}
