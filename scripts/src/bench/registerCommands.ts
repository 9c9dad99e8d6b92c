import type { Command } from 'commander';

/** `hub bench`: the gateway against bare @apollo/gateway. */
export function registerBenchCommands(program: Command): void {
  program
    .command('bench')
    .description(
      'benchmark the gateway against bare @apollo/gateway on the bench dataset; writes scripts/bench/RESULTS.md',
    )
    .option('--quick', 'a short run (about two minutes) instead of the full one')
    .action(async (options: { quick?: boolean }) => {
      const { RESULTS_FILE, RESULTS_JSON, renderResults, writeResults } = await import('./report.js');
      const { runBenchmark } = await import('./runBenchmark.js');
      const report = await runBenchmark({ quick: options.quick ?? false, log: (line) => console.log(line) });
      writeResults(report);
      console.log(`\n${renderResults(report)}`);
      console.log(`written to ${RESULTS_FILE} and ${RESULTS_JSON}`);
    });
}
