import type { Command } from 'commander';

/** `hub catalog …`: the data catalog's metadata. */
export function registerCatalogCommands(program: Command): void {
  program
    .command('catalog')
    .description(
      "the data catalog's metadata (schema/catalog/*.yaml): Chinese names, stewards, update frequencies, sources",
    )
    .command('check')
    .description('validate the metadata files and report every catalog field without metadata (exit 1 on either)')
    .action(async () => {
      const { checkCatalog, formatCatalogCheck } = await import('./catalogCommands.js');
      const report = await checkCatalog();
      console.log(formatCatalogCheck(report));
      process.exitCode = report.problems.length || report.unnamed.length ? 1 : 0;
    });
}
