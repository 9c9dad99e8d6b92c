import type { Command } from 'commander';

/** `hub docs`: the docs' generated sections (the CLI reference is read from `program` itself). */
export function registerDocsCommands(program: Command): void {
  program
    .command('docs')
    .description(
      "regenerate the docs' generated sections: the error codes, CLI and configuration references under docs/reference/, and with --gateway the example queries' answers (docs/guides/example-queries.md)",
    )
    .option('--check', 'only check that they are up to date (exit 1 if not)')
    .option(
      '--gateway <url>',
      'run schema/examples/*.graphql against this running gateway (small dataset) and record the answers',
    )
    .action(async (options: { check?: boolean; gateway?: string }) => {
      const { loadExamples, renderExamples, runExample } = await import('./examples.js');
      const { updateGeneratedDocs } = await import('./generatedDocs.js');
      const { issueDevelopmentToken } = await import('../token/issueToken.js');
      let extra: Record<string, string> = {};
      if (options.gateway) {
        const examples = loadExamples();
        const results = [];
        const tokenFor = (consumer: string) => issueDevelopmentToken({ consumer, ttl: '10m' });
        for (const example of examples) results.push(await runExample(options.gateway, example, tokenFor));
        extra = { examples: renderExamples(examples, results) };
      }
      const { stale } = updateGeneratedDocs({ program, check: options.check ?? false, extra });
      if (options.check && stale.length) {
        console.log(`stale generated docs: ${stale.join(', ')}; run \`npm run hub -- docs\``);
        process.exitCode = 1;
      } else {
        console.log(stale.length ? `updated ${stale.join(', ')}` : 'generated docs are up to date');
      }
    });
}
