import { loadGatewayConfig } from './config';
import { startGatewayServer } from './http';

/** The gateway process: configuration from the environment, clean stop on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const server = await startGatewayServer({ config });
  server.logger.info({ url: server.url, supergraph: server.gateway.supergraph.version }, 'gateway ready');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.logger.info({ signal }, 'stopping');
    await server.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
