import cluster from 'node:cluster';
import { loadGatewayConfig } from './config';
import { createLogger } from './logging';
import { startTracing } from './tracing';
import { currentGatewayWorker } from './workers/workerCount';

/**
 * The gateway process: configuration from the environment, a drain on SIGTERM/SIGINT. Under
 * `hub start` it reports readiness over IPC and stops when its parent goes away. With
 * `GATEWAY_WORKERS` above 1 this process is the primary that forks the workers (workers/), and
 * each worker runs the gateway below on the shared port.
 */
async function main(): Promise<void> {
  // `--open` as `hub gateway --open` has it (no policy: local subgraph development and comparisons); workers inherit the argument.
  const config = loadGatewayConfig(process.env, process.argv.includes('--open') ? { open: true } : {});
  if (cluster.isPrimary && config.workers > 1) {
    // The primary loads none of the request path: it forks, supervises and relays.
    const { runGatewayPrimary } = await import('./workers/gatewayPrimary.js');
    return runGatewayPrimary(config, createLogger(config.logLevel, 'gateway-primary'));
  }
  // Before anything logs or serves: log lines carry trace ids, and requests start spans (tracing/).
  const tracing = await startTracing(process.env, 'cdo-hub-gateway');
  const { runUntilSignalled, startGatewayServer } = await import('./http/index.js');
  const worker = currentGatewayWorker();
  if (!worker) {
    const server = await startGatewayServer({ config });
    server.logger.info(
      {
        url: server.url,
        supergraph: server.gateway.supergraph.version,
        policies: server.gateway.policies?.current().version ?? 'OPEN',
        ...(tracing
          ? { tracing: { service: tracing.serviceName, to: tracing.tracesUrl, protocol: tracing.protocol } }
          : {}),
      },
      'gateway ready',
    );
    return runUntilSignalled(server, config);
  }
  // A worker: its own audit chain, and what it shares with the others through the primary.
  const { workerAuditChain } = await import('./audit/auditChains.js');
  const { WorkerServices } = await import('./workers/workerServices.js');
  const own = { ...config, ...workerAuditChain(config, worker.slot) };
  const logger = createLogger(config.logLevel).child({ worker: worker.slot });
  const server = await startGatewayServer({ config: own, logger, worker: new WorkerServices(worker) });
  runUntilSignalled(server, own);
}

main().catch((error: unknown) => {
  console.error(`gateway${cluster.isWorker ? ' worker' : ''}: ${(error as Error).message}`);
  process.exit(1);
});
