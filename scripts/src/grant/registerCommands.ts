import { InvalidArgumentError, type Command } from 'commander';
import { collect, operator } from '../commandLine/arguments';
import { sinceDaysOption } from '../policy/sinceDaysOption';
import { APPROVE_HELP, type ApproveOptions } from './approveCommand';

/** `hub grant …`: the grant workflow. */
export function registerGrantCommands(program: Command): void {
  const grant = program
    .command('grant')
    .description('the grant workflow: consumers apply for CONDITIONAL data, the owning CDO approves or refuses');

  grant
    .command('request')
    .description('file a grant request for a consumer; the owning agency must answer within 10 working days')
    .requiredOption('--consumer <id>', 'the consumer that will read the data')
    .requiredOption('--fields <list>', "comma-separated coordinates, e.g. 'Student.name,Student.grade' or 'Teacher.*'")
    .requiredOption('--purpose <purpose>', "the purpose (one of the consumer's registered purposes)")
    .requiredOption('--reason <text>', 'the duty and use scenario the data serves')
    .option('--scope <dimension=value>', 'row scope, e.g. districtCode=110108 (repeatable)', collect)
    .option('--until <date>', 'expiry asked for (YYYY-MM-DD)')
    .option('--agency <id>', 'the owning agency, when several resolve the fields')
    .option('--by <name>', 'who files it (default: $USER)')
    .action(
      async (options: {
        consumer: string;
        fields: string;
        purpose: string;
        reason: string;
        scope?: string[];
        until?: string;
        agency?: string;
        by?: string;
      }) => {
        const { describeRequest, knownAgency, pairs, withGrants } = await import('./grantCommands.js');
        const step = await withGrants((service) =>
          service.request({
            consumer: options.consumer,
            fields: options.fields
              .split(',')
              .map((f) => f.trim())
              .filter(Boolean),
            purpose: options.purpose,
            reason: options.reason,
            requestedBy: options.by ?? operator(),
            ...(options.scope ? { scope: pairs(options.scope, '--scope') } : {}),
            ...(options.until ? { until: options.until } : {}),
            ...(options.agency ? { agency: knownAgency(options.agency) } : {}),
          }),
        );
        for (const warning of step.warnings) console.log(`warning: ${warning}`);
        console.log(describeRequest(step.result));
        process.exitCode = step.result.status === 'refused' ? 1 : 0;
      },
    );

  grant
    .command('list')
    .description("an agency's grant requests, newest first (with --pending or --overdue, only those)")
    .option('--agency <id>', 'the owning agency')
    .option('--consumer <id>', 'only this consumer')
    .option('--pending', 'only requests awaiting an answer')
    .option('--overdue', 'only requests past their 10-working-day deadline')
    .option('--grants', 'list the grants in the store instead of the requests')
    .option('--json', 'print JSON')
    .action(
      async (options: {
        agency?: string;
        consumer?: string;
        pending?: boolean;
        overdue?: boolean;
        grants?: boolean;
        json?: boolean;
      }) => {
        const { describeGrant, formatRequestTable, knownAgency, withGrants } = await import('./grantCommands.js');
        return withGrants(async (service) => {
          const filter = {
            ...(options.agency ? { agency: knownAgency(options.agency) } : {}),
            ...(options.consumer ? { consumer: options.consumer } : {}),
          };
          if (options.grants) {
            const grants = await service.grants(filter);
            console.log(
              options.json
                ? JSON.stringify(grants, null, 2)
                : grants.map(describeGrant).join('\n') || 'no grants in the store',
            );
            return;
          }
          const requests = await service.list({
            ...filter,
            status: options.overdue ? 'overdue' : options.pending ? 'pending' : 'all',
          });
          console.log(options.json ? JSON.stringify(requests, null, 2) : formatRequestTable(requests));
        });
      },
    );

  grant
    .command('approve')
    .description('approve a pending request: the grant is in force on every gateway within seconds')
    .argument('<request-id>')
    .requiredOption('--by <name>', 'the CDO who approves')
    .option('--mask <field=mask>', 'release a field masked, e.g. Student.name=name (repeatable; masks below)', collect)
    .option('--expires <date>', 'last day of validity (default: the date the request asked for)')
    .option(
      '--add-field <field>',
      'grant a parent field the request lacks a path through too, e.g. School.teachers (repeatable)',
      collect,
    )
    .option('--require-case', 'requests under the grant must name their case in x-case-id')
    .option('--case-pattern <regex>', "the agency's case-reference format (anchored), e.g. 'JY-[0-9]{4}-[0-9]{6}'")
    .option('--retain-days <n>', 'days the consumer may keep what it received once the grant ends', retentionDays)
    .option('--dry-run', 'print the masks that fit and the impact preview, and approve nothing')
    .addOption(sinceDaysOption())
    .addHelpText('after', APPROVE_HELP)
    .action(async (id: string, options: ApproveOptions) => {
      await (await import('./approveCommand.js')).approve(id, options, (line) => console.log(line));
    });

  grant
    .command('refuse')
    .description('refuse a pending request, with the reason the consumer will read')
    .argument('<request-id>')
    .requiredOption('--by <name>', 'the CDO who refuses')
    .requiredOption('--reason <text>', 'why')
    .action(async (id: string, options: { by: string; reason: string }) => {
      const { describeRequest, withGrants } = await import('./grantCommands.js');
      console.log(describeRequest((await withGrants((service) => service.refuse(id, options))).result));
    });

  grant
    .command('revoke')
    .description('revoke a grant: the next request after gateways reload is denied')
    .argument('<grant-id>')
    .requiredOption('--reason <text>', 'why')
    .option('--by <name>', 'who revokes (default: $USER)')
    .action(async (id: string, options: { reason: string; by?: string }) => {
      const { describeGrant, withGrants } = await import('./grantCommands.js');
      console.log(
        describeGrant(
          (await withGrants((service) => service.revoke(id, { by: options.by ?? operator(), reason: options.reason })))
            .result,
        ),
      );
    });

  grant
    .command('attest-deletion')
    .description("record the consumer's attestation that it deleted what it received under a grant that has ended")
    .requiredOption('--grant <id>', 'the ended grant (expired or revoked) that states a retention period')
    .requiredOption('--consumer <id>', 'the consumer that held it, which attests')
    .option('--note <text>', 'how and where the data was deleted')
    .option('--by <name>', 'who attests for the consumer (default: $USER)')
    .action(async (options: { grant: string; consumer: string; note?: string; by?: string }) => {
      const { describeAttestation, withGrants } = await import('./grantCommands.js');
      const step = await withGrants((service) =>
        service.attestDeletion({
          grantId: options.grant,
          consumer: options.consumer,
          by: options.by ?? operator(),
          ...(options.note ? { note: options.note } : {}),
        }),
      );
      console.log(describeAttestation(step.result));
    });

  grant
    .command('attestations')
    .description(
      'deletion attestations owed under ended grants with a retention period: due, overdue or attested (dates YYYY-MM-DD)',
    )
    .option('--agency <id>', 'the owning agency')
    .option('--consumer <id>', 'only this consumer')
    .option('--overdue', 'only those past their due date')
    .option('--json', 'print JSON')
    .action(async (options: { agency?: string; consumer?: string; overdue?: boolean; json?: boolean }) => {
      const { formatAttestationTable, knownAgency, withGrants } = await import('./grantCommands.js');
      const owed = await withGrants((service) =>
        service.attestations({
          ...(options.agency ? { agency: knownAgency(options.agency) } : {}),
          ...(options.consumer ? { consumer: options.consumer } : {}),
        }),
      );
      const shown = options.overdue ? owed.filter((a) => a.status === 'overdue') : owed;
      console.log(options.json ? JSON.stringify(shown, null, 2) : formatAttestationTable(shown));
    });

  grant
    .command('export')
    .description("write an agency's grants in force as YAML, in the policy file's format, for review beside it")
    .requiredOption('--agency <id>', 'the owning agency')
    .action(async (options: { agency: string }) => {
      const { knownAgency, withGrants } = await import('./grantCommands.js');
      process.stdout.write(await withGrants((service) => service.exportYaml(knownAgency(options.agency))));
    });
}

/** `--retain-days`: a whole number of days, 0 to 3650. */
function retentionDays(value: string): number {
  const days = Number(value);
  if (!/^\d+$/.test(value) || days > 3650) throw new InvalidArgumentError('a whole number of days from 0 to 3650');
  return days;
}
