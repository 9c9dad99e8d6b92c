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

  program
    .command('bench-subjects')
    .description(
      'what subject digests cost and what the subject index buys: audit bytes per request with subjects off and on, then a trail of --records access records built in a temporary folder, its index, and the lookup time of one person against a scan',
    )
    .option('--records <n>', 'records in the trail', (value) => Number.parseInt(value, 10), 1_000_000)
    .option('--no-scan', 'skip the full scan of the trail it is compared with')
    .action(async (options: { records: number; scan: boolean }) => {
      const { benchSubjects } = await import('./subjectIndexBench.js');
      for (const line of await benchSubjects(options)) console.log(line);
    });
}
