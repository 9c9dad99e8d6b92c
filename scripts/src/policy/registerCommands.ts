import type { Command } from 'commander';
import { resolve } from 'node:path';
import { sinceDaysOption } from './sinceDaysOption';

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

  policy
    .command('impact')
    .description(
      "compare the policy in force with a changed policy file over consumers' recent operations, before it is applied",
    )
    .requiredOption('--agency <id>', 'the agency whose policy changes')
    .requiredOption('--file <changed.yaml>', "the changed policy file (the agency's file is left as it is)")
    .addOption(sinceDaysOption())
    .action(async (options: { agency: string; file: string; sinceDays: number }) => {
      const { knownAgency } = await import('../grant/grantCommands.js');
      const { policyFileImpact } = await import('./impactCommands.js');
      const { lines, refused } = await policyFileImpact(knownAgency(options.agency), resolve(options.file), options);
      for (const line of lines) console.log(line);
      process.exitCode = refused ? 1 : 0;
    });
}
