import type { SeedSize } from '@cdo-hub/subgraph-kit';
import { Command, InvalidArgumentError, Option } from 'commander';
import { resolve } from 'node:path';
import { REPORT_FORMATS, type ReportFormat } from './audit/reportFormats';
import { DEFAULT_DEVELOPMENT_TTL } from './token/tokenLifetime';

// Each command imports its code when it runs (`await import` in its action), not at start-up: the
// gateway and the agencies pull in Apollo, Fastify and SQLite, most of a second of loading, and a
// quick command such as `hub token` (pasted as `TOKEN=$(npx hub token …)`) must not pay for it.

/** The dataset sizes `--size` accepts: the kit's SeedSize, spelled out so the CLI need not load the kit to list them. */
const SEED_SIZES = ['small', 'bench'] as const satisfies readonly SeedSize[];
/** Fails to type-check when the kit gains a size the list above lacks. */
const everySeedSize: Exclude<SeedSize, (typeof SEED_SIZES)[number]> extends never ? true : never = true;
void everySeedSize;

/** `hub`: the one CLI for operator tasks. Each command's code lives in its own folder. */
export const program = new Command('hub')
  .description('cdo-hub operator CLI: run the hub, compose the supergraph, seed agency databases')
  .showHelpAfterError();

function portNumber(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('not a port number');
  return port;
}

function workerCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 256)
    throw new InvalidArgumentError('a whole number from 1 to 256');
  return count;
}

const sizeOption = () => new Option('--size <size>', 'dataset size').choices([...SEED_SIZES]).default('small');

program
  .command('start')
  .description('seed missing databases, start the three agency subgraphs and the gateway, stop them all on Ctrl-C')
  .addOption(new Option('--size <size>', 'size for databases that do not exist yet').choices([...SEED_SIZES]))
  .option(
    '--workers <n>',
    'gateway processes on the gateway port (default: GATEWAY_WORKERS, else 1; in production the cores)',
    workerCount,
  )
  .action(async (options: { size?: SeedSize; workers?: number }) => {
    const { startHub } = await import('./start/startHub.js');
    // Signals are handled from the first moment: Ctrl-C during seeding or start-up stops what was started.
    const interrupted = new AbortController();
    let hub: Awaited<ReturnType<typeof startHub>> | undefined;
    let stopping = false;
    const stop = async (reason: string, code: number) => {
      if (stopping) return;
      stopping = true;
      console.log(`\n${reason}; stopping the hub…`);
      interrupted.abort();
      await hub?.stop();
      process.exit(code);
    };
    process.on('SIGINT', () => void stop('SIGINT', hub ? 0 : 130));
    process.on('SIGTERM', () => void stop('SIGTERM', hub ? 0 : 143));
    try {
      hub = await startHub({
        signal: interrupted.signal,
        ...(options.size ? { seedSize: options.size } : {}),
        ...(options.workers ? { workers: options.workers } : {}),
      });
    } catch (error) {
      if (stopping) return;
      throw error;
    }
    console.log('');
    console.log(`cdo-hub ready in ${(hub.readyAfterMs / 1000).toFixed(1)} s`);
    console.log(`  gateway     ${hub.gatewayUrl}`);
    for (const { agency, url } of hub.subgraphUrls) console.log(`  ${agency.padEnd(19)} ${url}`);
    console.log('Press Ctrl-C to stop.');
    const crashed = await hub.firstExit;
    await stop(`${crashed} exited unexpectedly`, 1);
  });

program
  .command('gateway')
  .description('run only the gateway, from any supergraph file')
  .option('--supergraph <file>', 'supergraph SDL file (default: schema/supergraph.graphql)')
  .option('--port <n>', 'port to listen on (default: GATEWAY_PORT or 4000)', portNumber)
  .option('--open', 'serve everything with no sharing policy (local subgraph development and compliance testing only)')
  .action(async (options: { supergraph?: string; port?: number; open?: boolean }) => {
    const { loadGatewayConfig, runUntilSignalled, startGatewayServer } = await import('@cdo-hub/gateway');
    const config = loadGatewayConfig(process.env, {
      ...(options.supergraph ? { supergraphFile: resolve(options.supergraph), followRegistry: false } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.open ? { open: true } : {}),
    });
    // Without --supergraph the server serves the schema registry's supergraph when it has one.
    const server = await startGatewayServer({ config });
    const supergraph = server.gateway.supergraph;
    console.log(`gateway ready at ${server.url} (supergraph ${supergraph.version} from ${supergraph.source})`);
    runUntilSignalled(server, config);
  });

program
  .command('compose')
  .description('compose the agency SDLs into schema/supergraph.graphql')
  .option('--check', 'only check that the committed supergraph is up to date (exit 1 if not)')
  .action(async (options: { check?: boolean }) => {
    const { composeToFile } = await import('./compose/composeSupergraph.js');
    const outcome = composeToFile({ check: options.check ?? false });
    if (options.check) {
      console.log(
        outcome.changed ? `${outcome.file} is stale: run \`npm run hub -- compose\`` : `${outcome.file} is up to date`,
      );
      process.exitCode = outcome.changed ? 1 : 0;
    } else {
      console.log(`${outcome.changed ? 'wrote' : 'unchanged:'} ${outcome.file} (${outcome.milliseconds} ms)`);
    }
  });

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
    const { nightlyUpdate } = await import('./seed/nightlyUpdate.js');
    const { seedAgencies } = await import('./seed/seedAgencies.js');
    if (options.update) {
      for (const line of nightlyUpdate({ ...(options.agency ? { agencies: options.agency } : {}) })) console.log(line);
      return;
    }
    seedAgencies({
      size: options.size,
      onlyMissing: options.ifMissing ?? false,
      log: (line) => console.log(line),
      ...(options.agency ? { agencies: options.agency } : {}),
    });
  });

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
    const { loadExamples, renderExamples, runExample } = await import('./docs/examples.js');
    const { updateGeneratedDocs } = await import('./docs/generatedDocs.js');
    const { issueDevelopmentToken } = await import('./token/issueToken.js');
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

program
  .command('operations')
  .description('the allow-list of persisted operations')
  .command('manifest')
  .description(
    'write schema/operations/manifest.json from schema/examples/*.graphql (the operations a gateway with PERSISTED_OPERATIONS=only serves)',
  )
  .option('--check', 'only check that it is up to date (exit 1 if not)')
  .action(async (options: { check?: boolean }) => {
    const { updateOperationsManifest } = await import('./operations/operationsManifest.js');
    const { changed, file, operations } = updateOperationsManifest({ check: options.check ?? false });
    if (options.check && changed) {
      console.log(`${file} is stale: run \`npm run hub -- operations manifest\``);
      process.exitCode = 1;
    } else {
      console.log(`${file}: ${operations} operations${changed ? ' (written)' : ', up to date'}`);
    }
  });

program
  .command('token')
  .description(
    "print a development token for a registered consumer, signed with the hub's secret (exit 2, nothing printed, when refused)",
  )
  .requiredOption('--consumer <id>', 'registered consumer id')
  .option('--purpose <purpose>', 'purpose claim; it binds: a request with another x-data-purpose is refused')
  .option(
    '--role <role...>',
    'roles claim, each one the registry lets the consumer hold (e.g. --consumer education --role cdo:education)',
  )
  .option(
    '--ttl <duration>',
    `lifetime, e.g. 30m, 8h, 24h; at most TOKEN_MAX_TTL (default: ${DEFAULT_DEVELOPMENT_TTL}, or TOKEN_MAX_TTL if shorter)`,
  )
  .action(async (options: { consumer: string; purpose?: string; role?: string[]; ttl?: string }) => {
    const { TokenRefusal, issueDevelopmentToken } = await import('./token/issueToken.js');
    try {
      console.log(
        await issueDevelopmentToken({
          consumer: options.consumer,
          ...(options.ttl ? { ttl: options.ttl } : {}),
          ...(options.purpose ? { purpose: options.purpose } : {}),
          ...(options.role ? { roles: options.role } : {}),
        }),
      );
    } catch (error) {
      if (!(error instanceof TokenRefusal)) throw error;
      // A refusal is not a token: stdout stays empty, so `TOKEN=$(hub token …)` never captures one.
      console.error(`hub token: refused: ${error.message}`);
      process.exitCode = 2;
    }
  });

program
  .command('bench')
  .description(
    'benchmark the gateway against bare @apollo/gateway on the bench dataset; writes scripts/bench/RESULTS.md',
  )
  .option('--quick', 'a short run (about two minutes) instead of the full one')
  .action(async (options: { quick?: boolean }) => {
    const { RESULTS_FILE, RESULTS_JSON, renderResults, writeResults } = await import('./bench/report.js');
    const { runBenchmark } = await import('./bench/runBenchmark.js');
    const report = await runBenchmark({ quick: options.quick ?? false, log: (line) => console.log(line) });
    writeResults(report);
    console.log(`\n${renderResults(report)}`);
    console.log(`written to ${RESULTS_FILE} and ${RESULTS_JSON}`);
  });

function positiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('a positive number');
  return number;
}

program
  .command('soak')
  .description(
    "mixed load on the whole hub (Redis off) for N minutes, sampling the gateway's RSS and heap; writes scripts/bench/SOAK.md (not run in CI)",
  )
  .option('--minutes <n>', 'how long to load the hub', positiveNumber, 10)
  .option('--connections <n>', 'concurrent connections', (value) => Math.round(positiveNumber(value)), 10)
  .action(async (options: { minutes: number; connections: number }) => {
    const { SOAK_FILE, SOAK_JSON, renderSoak, writeSoak } = await import('./soak/report.js');
    const { runSoak } = await import('./soak/runSoak.js');
    const report = await runSoak({
      minutes: options.minutes,
      connections: options.connections,
      log: (line) => console.log(line),
    });
    writeSoak(report);
    console.log(`\n${renderSoak(report)}`);
    console.log(`written to ${SOAK_FILE} and ${SOAK_JSON}`);
    process.exitCode = report.totals.failures ? 1 : 0;
  });

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
    const { auditVerify } = await import('./audit/auditCommands.js');
    const { checkpointKey, loadGatewayConfig, loadSecrets } = await import('@cdo-hub/gateway');
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
    const { lines, exitCode } = await auditVerify(config, checkpointKey(secrets.subgraphSigningKey));
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
    const { auditAdopt, defaultOperator } = await import('./audit/auditCommands.js');
    const { checkpointKey, loadGatewayConfig, loadSecrets } = await import('@cdo-hub/gateway');
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
    const { archiveAuditStream, checkpointKey, loadGatewayConfig, loadSecrets, openAuditWitness } =
      await import('@cdo-hub/gateway');
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
      onBatch: (archived, lastSeq) => options.follow && console.log(`archived ${archived} record(s), up to ${lastSeq}`),
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
      const { auditReport } = await import('./audit/auditCommands.js');
      const { loadGatewayConfig } = await import('@cdo-hub/gateway');
      const config = loadGatewayConfig(process.env, options.dir ? { auditDir: resolve(options.dir) } : {});
      console.log(await auditReport(config.auditDir, options));
    },
  );

audit
  .command('tail')
  .description('print audit records as the gateway writes them (Ctrl-C stops)')
  .option('--agency <id>', 'only records that touched this agency')
  .option('--consumer <id>', 'only this consumer')
  .option('--json', 'print the records as JSON lines')
  .option('--backlog <n>', 'records already written to show first', (v) => Number.parseInt(v, 10), 10)
  .option('--dir <dir>', 'audit folder (default: AUDIT_DIR, or <data dir>/audit)')
  .action(async (options: { agency?: string; consumer?: string; json?: boolean; backlog: number; dir?: string }) => {
    const { auditTail } = await import('./audit/auditCommands.js');
    const { loadGatewayConfig } = await import('@cdo-hub/gateway');
    const config = loadGatewayConfig(process.env, options.dir ? { auditDir: resolve(options.dir) } : {});
    const stop = auditTail(config.auditDir, options, (line) => console.log(line));
    process.on('SIGINT', () => {
      stop();
      process.exit(0);
    });
  });

const policy = program.command('policy').description("the CDOs' sharing policies (schema/policies/*.yaml)");

policy
  .command('check')
  .description('validate every policy against the supergraph and the consumer registry (exit 1 on errors)')
  .action(async () => {
    const { checkPolicies, formatCheckReport } = await import('./policy/policyCommands.js');
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
    const { explainPolicies } = await import('./policy/policyCommands.js');
    console.log(await explainPolicies(options.consumer, options.purpose, query));
  });

const cache = program.command('cache').description("the gateway's response cache");

cache
  .command('invalidate')
  .description(
    'purge every cached response holding an entity (or, without --key, any entity of the type) on a running gateway',
  )
  .requiredOption('--type <type>', 'e.g. School, InvestmentProject, District')
  .option('--key <key>', "the entity's key, e.g. a school code")
  .option('--gateway <url>', 'the gateway (default: http://GATEWAY_HOST:GATEWAY_PORT)')
  .option(
    '--token <jwt>',
    'a token with the role hub-operator or cdo:<owning agency> (default: one signed with the hub secret)',
  )
  .action(async (options: { type: string; key?: string; gateway?: string; token?: string }) => {
    const { invalidateCache } = await import('./cache/cacheCommands.js');
    console.log(await invalidateCache(options));
  });

const grant = program
  .command('grant')
  .description('the grant workflow: consumers apply for CONDITIONAL data, the owning CDO approves or refuses');
const collect = (value: string, previous: string[] = []) => [...previous, value];
const operator = () => process.env.USER ?? 'operator';

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
      const { describeRequest, knownAgency, pairs, withGrants } = await import('./grant/grantCommands.js');
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
      const { describeGrant, formatRequestTable, knownAgency, withGrants } = await import('./grant/grantCommands.js');
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
  .option('--mask <field=mask>', 'release a field masked, e.g. Student.name=name (repeatable)', collect)
  .option('--expires <date>', 'last day of validity (default: the date the request asked for)')
  .action(async (id: string, options: { by: string; mask?: string[]; expires?: string }) => {
    const { describeGrant, pairs, withGrants } = await import('./grant/grantCommands.js');
    const step = await withGrants((service) =>
      service.approve(id, {
        by: options.by,
        masks: pairs(options.mask, '--mask'),
        ...(options.expires ? { expires: options.expires } : {}),
      }),
    );
    for (const warning of step.warnings) console.log(`warning: ${warning}`);
    console.log(describeGrant(step.result));
  });

grant
  .command('refuse')
  .description('refuse a pending request, with the reason the consumer will read')
  .argument('<request-id>')
  .requiredOption('--by <name>', 'the CDO who refuses')
  .requiredOption('--reason <text>', 'why')
  .action(async (id: string, options: { by: string; reason: string }) => {
    const { describeRequest, withGrants } = await import('./grant/grantCommands.js');
    console.log(describeRequest((await withGrants((service) => service.refuse(id, options))).result));
  });

grant
  .command('revoke')
  .description('revoke a grant: the next request after gateways reload is denied')
  .argument('<grant-id>')
  .requiredOption('--reason <text>', 'why')
  .option('--by <name>', 'who revokes (default: $USER)')
  .action(async (id: string, options: { reason: string; by?: string }) => {
    const { describeGrant, withGrants } = await import('./grant/grantCommands.js');
    console.log(
      describeGrant(
        (await withGrants((service) => service.revoke(id, { by: options.by ?? operator(), reason: options.reason })))
          .result,
      ),
    );
  });

grant
  .command('export')
  .description("write an agency's grants in force as YAML, in the policy file's format, for review beside it")
  .requiredOption('--agency <id>', 'the owning agency')
  .action(async (options: { agency: string }) => {
    const { knownAgency, withGrants } = await import('./grant/grantCommands.js');
    process.stdout.write(await withGrants((service) => service.exportYaml(knownAgency(options.agency))));
  });

const schema = program
  .command('schema')
  .description(
    "the CDOs' schema registry: check a subgraph schema change, publish it to running gateways, list, diff, roll back",
  );
const sinceOption = () =>
  new Option('--since-days <n>', 'operations sent within this many days count as in use')
    .argParser((value) => {
      const days = Number(value);
      if (!Number.isInteger(days) || days < 1) throw new InvalidArgumentError('a whole number of days, at least 1');
      return days;
    })
    .default(30);

/** The key that signs direct calls to subgraphs (`--url`): the hub's, as `hub start` gives them (read only when asked for). */
async function subgraphSigningKey(): Promise<() => string> {
  const { loadGatewayConfig, loadSecrets } = await import('@cdo-hub/gateway');
  return () => loadSecrets({ production: loadGatewayConfig(process.env).production }).subgraphSigningKey;
}

schema
  .command('check')
  .description(
    "check a proposed subgraph schema: composition, breaking and dangerous changes, policy breakage, consumers' recent operations",
  )
  .requiredOption('--agency <id>', 'the agency whose schema changes')
  .option('--sdl <file>', 'the proposed SDL')
  .option('--url <subgraph-url>', 'a running subgraph serving the proposed SDL (_service { sdl })')
  .addOption(sinceOption())
  .action(async (options: { agency: string; sdl?: string; url?: string; sinceDays: number }) => {
    const { knownAgency } = await import('./grant/grantCommands.js');
    const { formatCheck, loadProposedSdl, runCheck, withRegistry } = await import('./schema/schemaCommands.js');
    const proposed = await loadProposedSdl({ ...options, signingKey: await subgraphSigningKey() });
    const report = await withRegistry((_, config, state) =>
      runCheck(state, config, knownAgency(options.agency), proposed.sdl, options.sinceDays),
    );
    for (const line of formatCheck(report, proposed.from)) console.log(line);
    process.exitCode = report.errors ? 1 : 0;
  });

schema
  .command('publish')
  .description('check, then store a new version and serve its supergraph on every gateway watching the registry')
  .requiredOption('--agency <id>', 'the agency whose schema changes')
  .option('--sdl <file>', 'the proposed SDL')
  .option('--url <subgraph-url>', 'a running subgraph serving the proposed SDL (_service { sdl })')
  .requiredOption('--reason <text>', 'why the schema changes (kept with the version)')
  .option('--author <name>', 'who publishes (default: $USER)')
  .option('--force', 'publish despite errors (they are recorded with the version)')
  .addOption(sinceOption())
  .action(
    async (options: {
      agency: string;
      sdl?: string;
      url?: string;
      reason: string;
      author?: string;
      force?: boolean;
      sinceDays: number;
    }) => {
      const { knownAgency } = await import('./grant/grantCommands.js');
      const { formatCheck, loadProposedSdl, publish, withRegistry } = await import('./schema/schemaCommands.js');
      const proposed = await loadProposedSdl({ ...options, signingKey: await subgraphSigningKey() });
      const { report, version } = await withRegistry((registry, config, state) =>
        publish(registry, config, state, {
          agency: knownAgency(options.agency),
          sdl: proposed.sdl,
          source: proposed.source,
          author: options.author ?? operator(),
          reason: options.reason,
          force: options.force ?? false,
          sinceDays: options.sinceDays,
        }),
      );
      for (const line of formatCheck(report, proposed.from)) console.log(line);
      if (!version) {
        console.log('not published: the registry is unchanged');
        process.exitCode = 1;
        return;
      }
      console.log(
        `published ${version.agency} v${version.version}${version.forced ? ' (forced over the errors above)' : ''}: gateways now serve supergraph ${version.supergraphVersion}`,
      );
    },
  );

schema
  .command('list')
  .description('every published version, newest last; * marks what is served')
  .option('--agency <id>', 'one agency only')
  .action(async (options: { agency?: string }) => {
    const { knownAgency } = await import('./grant/grantCommands.js');
    const { formatVersions, withRegistry } = await import('./schema/schemaCommands.js');
    const lines = await withRegistry(async (_, __, state) =>
      formatVersions(state, options.agency ? knownAgency(options.agency) : undefined),
    );
    for (const line of lines) console.log(line);
  });

schema
  .command('diff')
  .description("the SDL change between two versions of an agency's schema (unified diff)")
  .argument('<agency>')
  .argument('<from>', 'version number (v1 or 1)')
  .argument('<to>', 'version number')
  .action(async (agency: string, from: string, to: string) => {
    const { knownAgency } = await import('./grant/grantCommands.js');
    const { diffVersions, withRegistry } = await import('./schema/schemaCommands.js');
    const number = (v: string) => Number(v.replace(/^v/, ''));
    process.stdout.write(
      await withRegistry(async (_, __, state) => diffVersions(state, knownAgency(agency), number(from), number(to))),
    );
  });

schema
  .command('rollback')
  .description(
    "serve an earlier version of an agency's schema again (the one before the served one, or the version named), as a new version",
  )
  .argument('<agency>')
  .argument('[version]', 'the version to restore (default: the one before the served one)')
  .option('--reason <text>', 'why (default: "rollback to vN")')
  .option('--author <name>', 'who rolls back (default: $USER)')
  .action(async (agency: string, version: string | undefined, options: { reason?: string; author?: string }) => {
    const { knownAgency } = await import('./grant/grantCommands.js');
    const { formatCheck, publish, rollbackTarget, withRegistry } = await import('./schema/schemaCommands.js');
    const { report, version: published } = await withRegistry(async (registry, config, state) => {
      const target = rollbackTarget(
        state,
        knownAgency(agency),
        version === undefined ? undefined : Number(version.replace(/^v/, '')),
      );
      // A rollback restores what was served: composition must hold; other findings are reported, not blocking.
      return publish(registry, config, state, {
        agency,
        sdl: target.sdl,
        source: 'rollback',
        restores: target.version,
        author: options.author ?? operator(),
        reason: options.reason ?? `rollback to v${target.version}`,
        force: true,
        sinceDays: 30,
      });
    });
    for (const line of formatCheck(report, `${agency} v${published?.restores ?? version ?? '?'} (rollback)`))
      console.log(line);
    if (!published) {
      console.log('not rolled back: the registry is unchanged');
      process.exitCode = 1;
      return;
    }
    console.log(
      `rolled ${agency} back to v${published.restores} as v${published.version}: gateways now serve supergraph ${published.supergraphVersion}`,
    );
  });

// Parsed only when run as the CLI (directly or through bin/hub.js): `hub docs`' freshness test
// imports `program` to read the commands' definitions.
const runAsCli = require.main === module || /[\\/]bin[\\/]hub\.js$/.test(require.main?.filename ?? '');
if (runAsCli) {
  program.parseAsync(process.argv).catch(async (error: unknown) => {
    const { describeWorkflowError } = await import('./grant/grantCommands.js');
    console.error(`hub: ${describeWorkflowError(error) ?? (error as Error).message}`);
    process.exit(1);
  });
}
