import { type Command } from 'commander';
import { operator } from '../commandLine/arguments';

/** `hub dispute …`: disputes (疑义校核) over agencies' values, on the store every gateway watches. */
export function registerDisputeCommands(program: Command): void {
  const dispute = program
    .command('dispute')
    .description(
      "disputes (疑义校核): a consumer flags a value it may read; the owning CDO answers within the agency's working days",
    );

  dispute
    .command('file')
    .description(
      'file a dispute over one field of one record, for a consumer that may read that field; prints its id and due date',
    )
    .requiredOption('--consumer <id>', 'the consumer that read the value')
    .requiredOption('--coordinate <Type.field>', 'the disputed field, e.g. School.name')
    .requiredOption('--key <key>', "the record's key, e.g. a school code (several key fields: comma-separated)")
    .requiredOption('--claim <text>', 'what is wrong with the value')
    .option(
      '--purpose <purpose>',
      'the purpose the value was read for (default: any the consumer states that releases it)',
    )
    .option('--evidence <file>', 'a file supporting the claim (at most 64 KiB; kept with its SHA-256)')
    .option('--by <name>', 'who files it (default: $USER)')
    .option('--json', 'print JSON')
    .action(
      async (options: {
        consumer: string;
        coordinate: string;
        key: string;
        claim: string;
        purpose?: string;
        evidence?: string;
        by?: string;
        json?: boolean;
      }) => {
        const { fileDispute } = await import('./disputeCommands.js');
        console.log(await fileDispute({ ...options, by: options.by ?? operator() }));
      },
    );

  dispute
    .command('list')
    .description("an agency's disputes: open ones first (id, status, due date YYYY-MM-DD), then answered ones")
    .option('--agency <id>', 'the owning agency')
    .option('--consumer <id>', 'only disputes this consumer filed')
    .option('--open', 'only disputes awaiting an answer')
    .option('--overdue', 'only open disputes past their due date')
    .option('--json', 'print JSON')
    .action(
      async (options: { agency?: string; consumer?: string; open?: boolean; overdue?: boolean; json?: boolean }) => {
        const { listDisputes } = await import('./disputeCommands.js');
        console.log(await listDisputes(options));
      },
    );

  dispute
    .command('answer')
    .description(
      'answer an open dispute for the owning agency: confirmed, corrected (the caches holding the record are purged) or rejected',
    )
    .requiredOption('--id <DSP-YYYY-NNNN>', 'the dispute')
    .requiredOption('--outcome <outcome>', 'confirmed | corrected | rejected')
    .requiredOption('--reason <text>', 'why, in words the consumer will read')
    .option('--by <name>', 'the CDO who answers (default: $USER)')
    .option('--json', 'print JSON')
    .action(async (options: { id: string; outcome: string; reason: string; by?: string; json?: boolean }) => {
      const { answerDispute } = await import('./disputeCommands.js');
      console.log(await answerDispute({ ...options, by: options.by ?? operator() }));
    });
}
