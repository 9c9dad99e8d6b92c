import type { SeedSize } from '@cdo-hub/subgraph-kit/world';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { resolve } from 'node:path';
import { SEED_SIZES, portNumber } from '../commandLine/arguments';

function workerCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 256)
    throw new InvalidArgumentError('a whole number from 1 to 256');
  return count;
}

/** `hub start` (the whole hub), `hub gateway` (the gateway alone) and `hub subgraph` (one agency alone). */
export function registerStartCommands(program: Command): void {
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
      const { startHub } = await import('./startHub.js');
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
    .option(
      '--supergraph <file>',
      "supergraph SDL file (default: the schema registry's current supergraph when it has one, and its later publishes; else SUPERGRAPH_FILE or schema/supergraph.graphql)",
    )
    .option('--port <n>', 'port to listen on (default: GATEWAY_PORT or 4000)', portNumber)
    .option(
      '--workers <n>',
      'gateway processes on the port (default: GATEWAY_WORKERS, else 1; in production the cores)',
      workerCount,
    )
    .option(
      '--open',
      'serve everything with no sharing policy (local subgraph development and compliance testing only)',
    )
    .action(async (options: { supergraph?: string; port?: number; workers?: number; open?: boolean }) => {
      const { loadGatewayConfig, runUntilSignalled, startGatewayServer, startTracing } =
        await import('@cdo-hub/gateway');
      const config = loadGatewayConfig(process.env, {
        ...(options.supergraph ? { supergraphFile: resolve(options.supergraph), followRegistry: false } : {}),
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.workers !== undefined ? { workers: options.workers } : {}),
        ...(options.open ? { open: true } : {}),
      });
      if (config.workers > 1) {
        const { runGatewayWorkers } = await import('./gatewayWorkers.js');
        return runGatewayWorkers({ ...options, workers: config.workers, host: config.host, port: config.port });
      }
      // Before the server's logger exists: with OTEL_EXPORTER_OTLP_ENDPOINT set, its lines carry trace ids.
      await startTracing(process.env, 'cdo-hub-gateway');
      // Without --supergraph the server serves the schema registry's supergraph when it has one.
      const server = await startGatewayServer({ config });
      const supergraph = server.gateway.supergraph;
      console.log(`gateway ready at ${server.url} (supergraph ${supergraph.version} from ${supergraph.source})`);
      runUntilSignalled(server, config);
    });

  program
    .command('subgraph')
    .description("run one agency's subgraph alone, as an agency hosting its own does (seeds its database if missing)")
    .argument('<agency>', 'the agency: education, development-reform or science (unknown ones are refused)')
    .option('--port <n>', "port to listen on (default: the agency's <NAME>_PORT, else its own: 4001-4003)", portNumber)
    .option('--db <file>', "the agency's database file (default: <NAME>_DB, else <HUB_DATA_DIR>/<agency>.sqlite)")
    .addOption(new Option('--size <size>', 'size of the database if it has to be seeded').choices([...SEED_SIZES]))
    .action(async (agency: string, options: { port?: number; db?: string; size?: SeedSize }) => {
      const { runAgency } = await import('./runAgency.js');
      await runAgency(agency, options);
    });
}
