import { loadGatewayConfig } from './config';
import { runUntilSignalled, startGatewayServer } from './http';

/**
 * The gateway process: configuration from the environment, a drain on SIGTERM/SIGINT. Under
 * `hub start` it reports readiness over IPC and stops when its parent goes away.
 */
async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const server = await startGatewayServer({ config });
  server.logger.info(
    {
      url: server.url,
      supergraph: server.gateway.supergraph.version,
      policies: server.gateway.policies?.current().version ?? 'OPEN',
    },
    'gateway ready',
  );
  runUntilSignalled(server, config);
}

main().catch((error: unknown) => {
  console.error(`gateway: ${(error as Error).message}`);
  process.exit(1);
});
