import type { Command } from 'commander';

/** `hub compose`: the supergraph from the agency SDLs. */
export function registerComposeCommands(program: Command): void {
  program
    .command('compose')
    .description('compose the agency SDLs into schema/supergraph.graphql')
    .option('--check', 'only check that the committed supergraph is up to date (exit 1 if not)')
    .action(async (options: { check?: boolean }) => {
      const { composeToFile } = await import('./composeSupergraph.js');
      const outcome = composeToFile({ check: options.check ?? false });
      if (options.check) {
        console.log(
          outcome.changed
            ? `${outcome.file} is stale: run \`npm run hub -- compose\``
            : `${outcome.file} is up to date`,
        );
        process.exitCode = outcome.changed ? 1 : 0;
      } else {
        console.log(`${outcome.changed ? 'wrote' : 'unchanged:'} ${outcome.file} (${outcome.milliseconds} ms)`);
      }
    });
}
