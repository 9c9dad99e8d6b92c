import type { SeedSize } from '@cdo-hub/subgraph-kit/world';
import type { Command } from 'commander';
import { sizeOption } from '../commandLine/arguments';

/** `hub seed`: the agency databases. */
export function registerSeedCommands(program: Command): void {
  program
    .command('seed')
    .description('(re)build agency databases from the deterministic generators')
    .addOption(sizeOption())
    .option('--agency <id...>', 'only these agencies')
    .option('--if-missing', 'leave existing databases alone')
    .option(
      '--update',
      "instead of seeding, apply a nightly batch load to the existing databases (straight into them, as a batch job would), e.g. to watch the gateways' caches follow",
    )
    .action(async (options: { size: SeedSize; agency?: string[]; ifMissing?: boolean; update?: boolean }) => {
      const { nightlyUpdate } = await import('./nightlyUpdate.js');
      const { seedAgencies } = await import('./seedAgencies.js');
      if (options.update) {
        for (const line of nightlyUpdate({ ...(options.agency ? { agencies: options.agency } : {}) }))
          console.log(line);
        return;
      }
      seedAgencies({
        size: options.size,
        onlyMissing: options.ifMissing ?? false,
        log: (line) => console.log(line),
        ...(options.agency ? { agencies: options.agency } : {}),
      });
    });
}
