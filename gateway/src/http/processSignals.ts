import type { GatewayConfig } from '../config';
import type { GatewayServer } from './gatewayServer';

/**
 * Runs a started gateway as its process's main work: SIGTERM and SIGINT drain it (readiness
 * fails, requests in flight finish, the audit trail is flushed) and exit 0; a drain that takes
 * longer than `shutdownTimeoutMs` exits 1. Under a parent (`hub start`, the benchmark harness)
 * it reports readiness over IPC and drains when the parent goes away.
 */
export function runUntilSignalled(
  server: GatewayServer,
  config: Pick<GatewayConfig, 'port' | 'shutdownDelayMs' | 'shutdownTimeoutMs'>,
): void {
  let stopping = false;
  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    server.logger.info({ reason, delayMs: config.shutdownDelayMs }, 'draining');
    // A request that never ends must not keep the process from stopping.
    setTimeout(() => {
      server.logger.error(
        { timeoutMs: config.shutdownTimeoutMs, ...server.drainProgress(), resources: process.getActiveResourcesInfo() },
        'drain did not finish in time: exiting with requests still open',
      );
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    try {
      await server.shutdown({ delayMs: config.shutdownDelayMs });
    } catch (error) {
      server.logger.error({ err: error }, 'drain failed');
      process.exit(1);
    }
    server.logger.info('stopped: every request answered, audit trail flushed');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  if (process.send) {
    process.on('disconnect', () => void stop('parent exited'));
    process.send({ ready: true, port: config.port });
  }
}
