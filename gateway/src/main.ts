import { loadGatewayConfig } from './config';
import { startGatewayServer } from './http';

/**
 * The gateway process: configuration from the environment, clean stop on SIGTERM/SIGINT. Under
 * `hub start` it reports readiness over IPC and stops when its parent goes away.
 */
async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const server = await startGatewayServer({ config });
  server.logger.info({ url: server.url, supergraph: server.gateway.supergraph.version, policies: server.gateway.policies?.current().version ?? 'OPEN' }, 'gateway ready');
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
  if (process.send) {
    process.on('disconnect', () => void stop('parent exited'));
    process.send({ ready: true, port: config.port });
  }
}

main().catch((error: unknown) => {
  console.error(`gateway: ${(error as Error).message}`);
  process.exit(1);
});
