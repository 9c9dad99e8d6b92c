import type { Command } from 'commander';

/** `hub policy …`: the CDOs' sharing policies. */
export function registerPolicyCommands(program: Command): void {
  const policy = program.command('policy').description("the CDOs' sharing policies (schema/policies/*.yaml)");

  policy
    .command('check')
    .description('validate every policy against the supergraph and the consumer directory (exit 1 on errors)')
    .action(async () => {
      const { checkPolicies, formatCheckReport } = await import('./policyCommands.js');
      const report = await checkPolicies();
      console.log(formatCheckReport(report));
      process.exitCode = report.errors ? 1 : 0;
    });

  policy
    .command('explain')
    .description("print each field's decision for a consumer and purpose, and the rule (file:line) behind it")
    .requiredOption('--consumer <id>', 'registered consumer id')
    .option('--purpose <purpose>', 'stated purpose')
    .argument('<query>', 'the GraphQL operation')
    .action(async (query: string, options: { consumer: string; purpose?: string }) => {
      const { explainPolicies } = await import('./policyCommands.js');
      console.log(await explainPolicies(options.consumer, options.purpose, query));
    });
}
