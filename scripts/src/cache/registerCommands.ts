import type { Command } from 'commander';

/** `hub cache …`: the gateway's response cache. */
export function registerCacheCommands(program: Command): void {
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
      const { invalidateCache } = await import('./cacheCommands.js');
      console.log(await invalidateCache(options));
    });
}
