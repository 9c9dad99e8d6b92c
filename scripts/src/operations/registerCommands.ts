import type { Command } from 'commander';

/** `hub operations`: the allow-list of persisted operations. */
export function registerOperationsCommands(program: Command): void {
  program
    .command('operations')
    .description('the allow-list of persisted operations')
    .command('manifest')
    .description(
      'write schema/operations/manifest.json from schema/examples/*.graphql (the operations a gateway with PERSISTED_OPERATIONS=only serves)',
    )
    .option('--check', 'only check that it is up to date (exit 1 if not)')
    .action(async (options: { check?: boolean }) => {
      const { updateOperationsManifest } = await import('./operationsManifest.js');
      const { changed, file, operations } = updateOperationsManifest({ check: options.check ?? false });
      if (options.check && changed) {
        console.log(`${file} is stale: run \`npm run hub -- operations manifest\``);
        process.exitCode = 1;
      } else {
        console.log(`${file}: ${operations} operations${changed ? ' (written)' : ', up to date'}`);
      }
    });
}
