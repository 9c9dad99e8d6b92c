import { InvalidArgumentError, Option, type Command } from 'commander';
import { operator } from '../commandLine/arguments';
import type { PublishCommandOptions } from './publishCommand';

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
  const { loadGatewayConfig } = await import('@cdo-hub/gateway/config');
  const { loadSecrets } = await import('@cdo-hub/gateway/identity');
  return () => loadSecrets({ production: loadGatewayConfig(process.env).production }).subgraphSigningKey;
}

/** `hub schema …`: the schema registry. */
export function registerSchemaCommands(program: Command): void {
  const schema = program
    .command('schema')
    .description(
      "the CDOs' schema registry: check a subgraph schema change, publish it to running gateways, list, diff, roll back",
    );
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
      const { knownAgency } = await import('../grant/grantCommands.js');
      const { formatCheck, loadProposedSdl, runCheck, withRegistry } = await import('./schemaCommands.js');
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
    .option(
      '--wait <seconds>',
      "wait up to this long for the agency's running subgraph to serve the new fields (default: ask once)",
      (v) => Number(v),
    )
    .option(
      '--before-deploy',
      'publish although the running subgraph does not serve it yet (queries naming the new fields fail until it does)',
    )
    .addOption(sinceOption())
    .action(async (options: PublishCommandOptions) => {
      const { publishCommand } = await import('./publishCommand.js');
      process.exitCode = await publishCommand(options, await subgraphSigningKey(), operator(), (line) =>
        console.log(line),
      );
    });

  schema
    .command('list')
    .description('every published version, newest last; * marks what is served')
    .option('--agency <id>', 'one agency only')
    .action(async (options: { agency?: string }) => {
      const { knownAgency } = await import('../grant/grantCommands.js');
      const { formatVersions, withRegistry } = await import('./schemaCommands.js');
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
      const { knownAgency } = await import('../grant/grantCommands.js');
      const { diffVersions, withRegistry } = await import('./schemaCommands.js');
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
      const { knownAgency } = await import('../grant/grantCommands.js');
      const { formatCheck, publish, rollbackTarget, withRegistry } = await import('./schemaCommands.js');
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
      for (const line of formatCheck(
        report,
        `${agency} v${published?.restores ?? version ?? '?'} (rollback)`,
        published ? 'rolled back' : undefined,
      ))
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
}
