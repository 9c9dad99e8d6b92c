import { Option, type Command } from 'commander';
import { resolve } from 'node:path';
import { REPORT_FORMATS, type ReportFormat } from './reportFormats';

/** `hub audit …`: the audit trail. */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the audit trail: every request that touched agency data');

  audit
    .command('verify')
    .description(
      'recompute the hash chain, check the signed checkpoints and compare the trail with its witness (exit 1 if the trail was edited, cut or reordered)',
    )
    .option('--dir <dir>', 'audit folder (default: AUDIT_DIR, or <data dir>/audit)')
    .option('--witness-dir <dir>', 'witness folder (default: AUDIT_WITNESS_DIR, or <data dir>/audit-witness)')
    .option('--witness-redis-url <url>', 'read the witness from this Redis (default: AUDIT_WITNESS_REDIS_URL)')
    .action(async (options: { dir?: string; witnessDir?: string; witnessRedisUrl?: string }) => {
      const { auditVerify } = await import('./auditCommands.js');
      const { checkpointKeyring } = await import('@cdo-hub/gateway/audit');
      const { loadGatewayConfig } = await import('@cdo-hub/gateway/config');
      const { loadSecrets, subgraphSigningKeyring } = await import('@cdo-hub/gateway/identity');
      // An option names the witness to read, whichever the environment names.
      const witnessEnv = options.witnessRedisUrl
        ? { AUDIT_WITNESS_REDIS_URL: options.witnessRedisUrl }
        : options.witnessDir
          ? { AUDIT_WITNESS_REDIS_URL: undefined, AUDIT_WITNESS_DIR: resolve(options.witnessDir) }
          : {};
      const config = loadGatewayConfig(
        { ...process.env, ...witnessEnv },
        options.dir ? { auditDir: resolve(options.dir) } : {},
      );
      const secrets = loadSecrets({ production: config.production });
      // Checkpoints written before a rotation of the signing key verify under the keys it replaced.
      const { lines, exitCode } = await auditVerify(config, checkpointKeyring(subgraphSigningKeyring(secrets)));
      for (const line of lines) console.log(line);
      process.exitCode = exitCode;
    });

  audit
    .command('adopt')
    .description(
      'start a new trail in an audit folder whose id was removed or whose witness was lost (the gateway refuses to); the witness records who and why, and verify reports it',
    )
    .requiredOption('--reason <text>', 'why: kept in the witness and shown by every hub audit verify')
    .option('--by <name>', 'who decides (default: account@host running this)')
    .option('--dir <dir>', 'audit folder (default: AUDIT_DIR, or <data dir>/audit)')
    .action(async (options: { reason: string; by?: string; dir?: string }) => {
      const { auditAdopt, defaultOperator } = await import('./auditCommands.js');
      const { checkpointKey } = await import('@cdo-hub/gateway/audit');
      const { loadGatewayConfig } = await import('@cdo-hub/gateway/config');
      const { loadSecrets } = await import('@cdo-hub/gateway/identity');
      const config = loadGatewayConfig(process.env, options.dir ? { auditDir: resolve(options.dir) } : {});
      const secrets = loadSecrets({ production: config.production });
      for (const line of await auditAdopt(config, checkpointKey(secrets.subgraphSigningKey), {
        ...options,
        by: options.by ?? defaultOperator(),
      }))
        console.log(line);
    });

  audit
    .command('archive')
    .description(
      "move a gateway's audit records from its Redis Stream (AUDIT_REDIS_URL) into the JSONL files, then trim the stream",
    )
    .option('--instance <name>', 'the gateway instance whose stream to archive (default: AUDIT_INSTANCE, or "gateway")')
    .option('--dir <dir>', 'audit folder to append to (default: AUDIT_DIR, or <data dir>/audit)')
    .option('--follow', 'keep archiving as records arrive (Ctrl-C stops)')
    .action(async (options: { instance?: string; dir?: string; follow?: boolean }) => {
      const { archiveAuditStream, checkpointKey, openAuditWitness } = await import('@cdo-hub/gateway/audit');
      const { loadGatewayConfig } = await import('@cdo-hub/gateway/config');
      const { loadSecrets } = await import('@cdo-hub/gateway/identity');
      const config = loadGatewayConfig(process.env, {
        ...(options.dir ? { auditDir: resolve(options.dir) } : {}),
        ...(options.instance ? { auditInstance: options.instance } : {}),
      });
      if (!config.auditRedisUrl) throw new Error('AUDIT_REDIS_URL is not set: there is no audit stream to archive');
      const secrets = loadSecrets({ production: config.production });
      const stop = new AbortController();
      process.on('SIGINT', () => stop.abort());
      process.on('SIGTERM', () => stop.abort());
      const result = await archiveAuditStream(config.auditRedisUrl, {
        instance: config.auditInstance,
        dir: config.auditDir,
        signingKey: checkpointKey(secrets.subgraphSigningKey),
        witness: await openAuditWitness(config),
        ...(options.follow ? { follow: { signal: stop.signal } } : {}),
        onBatch: (archived, lastSeq) =>
          options.follow && console.log(`archived ${archived} record(s), up to ${lastSeq}`),
      });
      console.log(
        `archived ${result.archived} record(s) of instance ${config.auditInstance} to ${config.auditDir} (trail ends at record ${result.lastSeq})`,
      );
    });

  audit
    .command('report')
    .description(
      "the CDO's usage report: who read which of the agency's fields, for what purpose, how often, how many records, what was denied",
    )
    .requiredOption('--agency <id>', 'the agency whose data the report covers')
    .option('--since <when>', 'only records since then: a duration (30m, 24h, 7d) or a date')
    .option('--consumer <id>', 'only this consumer')
    .addOption(
      new Option('--format <format>', 'output format').choices(REPORT_FORMATS as unknown as string[]).default('table'),
    )
    .option('--dir <dir>', 'audit folder (default: AUDIT_DIR, or <data dir>/audit)')
    .action(
      async (options: { agency: string; since?: string; consumer?: string; format: ReportFormat; dir?: string }) => {
        const { auditReport, openDisputes, overdueAttestations } = await import('./auditCommands.js');
        const { loadGatewayConfig } = await import('@cdo-hub/gateway/config');
        const config = loadGatewayConfig(process.env, options.dir ? { auditDir: resolve(options.dir) } : {});
        console.log(
          await auditReport(config.auditDir, {
            ...options,
            overdueAttestations: await overdueAttestations(options.agency, options.consumer),
            disputes: await openDisputes(options.agency, options.consumer),
          }),
        );
      },
    );

  audit
    .command('subject')
    .description(
      "who read a person's or organisation's records at an agency: when, which consumer, purpose and case, which fields, under which grants (from the subject index; exit 2 on an unknown agency or a malformed ID)",
    )
    .requiredOption('--agency <id>', 'the agency whose records (education, development-reform, science)')
    .requiredOption('--id <id>', 'a resident ID number or a unified social credit code')
    .option('--json', 'print JSON')
    .option('--dir <dir>', 'audit folder (default: AUDIT_DIR, or <data dir>/audit)')
    .action(async (options: { agency: string; id: string; json?: boolean; dir?: string }) => {
      const { formatSubjectRead, lookUpSubject, SubjectLookupRefusal } = await import('./subjectLookup.js');
      try {
        const reads = lookUpSubject(options);
        console.log(
          options.json ? JSON.stringify(reads, null, 2) : reads.map(formatSubjectRead).join('\n') || 'no reads',
        );
      } catch (error) {
        if (!(error instanceof SubjectLookupRefusal)) throw error;
        console.error(`hub audit subject: refused: ${error.message}`);
        process.exitCode = 2;
      }
    });

  audit
    .command('tail')
    .description('print audit records as the gateway writes them (Ctrl-C stops)')
    .option('--agency <id>', 'only records that touched this agency')
    .option('--consumer <id>', 'only this consumer')
    .option('--json', 'print the records as JSON lines')
    .option('--backlog <n>', 'records already written to show first', (v) => Number.parseInt(v, 10), 10)
    .option('--dir <dir>', 'audit folder (default: AUDIT_DIR, or <data dir>/audit)')
    .action(async (options: { agency?: string; consumer?: string; json?: boolean; backlog: number; dir?: string }) => {
      const { auditTail } = await import('./auditCommands.js');
      const { loadGatewayConfig } = await import('@cdo-hub/gateway/config');
      const config = loadGatewayConfig(process.env, options.dir ? { auditDir: resolve(options.dir) } : {});
      const stop = auditTail(config.auditDir, options, (line) => console.log(line));
      process.on('SIGINT', () => {
        stop();
        process.exit(0);
      });
    });
}
