import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config';
import { PrimaryServices } from './primaryServices';
import { decideRestart, DEFAULT_RESTART_POLICY, type RestartPolicy } from './restartPolicy';
import { WORKER_COUNT_VARIABLE, WORKER_SLOT_VARIABLE } from './workerCount';

interface Slot {
  slot: number;
  worker: Worker | undefined;
  ready: boolean;
  crashes: number[];
  failedStarts: number;
}

/**
 * The gateway as `GATEWAY_WORKERS` processes on one port: this primary forks them (Node's
 * cluster: it accepts connections and hands them out in turn), restarts one that dies (with a
 * back-off, logged), and exits 1 when a worker keeps dying before it is ready. It serves no
 * request: it holds the shared rate window, sums the metrics and relays invalidations
 * (primaryServices.ts). SIGTERM/SIGINT drain every worker (each fails `/readyz`, finishes what it
 * has in flight and flushes its audit chain); the primary exits once all have, 0 if all drained.
 * Under a parent (`hub start`) it reports ready once every worker is, and drains when the parent goes.
 */
export function runGatewayPrimary(
  config: Pick<GatewayConfig, 'workers' | 'port' | 'shutdownTimeoutMs'>,
  logger: Logger,
  policy: RestartPolicy = DEFAULT_RESTART_POLICY,
): void {
  const slots: Slot[] = Array.from({ length: config.workers }, (_, i) => ({
    slot: i + 1,
    worker: undefined,
    ready: false,
    crashes: [],
    failedStarts: 0,
  }));
  const live = () => slots.flatMap((s) => (s.worker ? [s.worker] : []));
  const services = new PrimaryServices(live);
  let stopping = false;
  let failed = false;
  let reported = false;

  const fork = (slot: Slot) => {
    if (stopping) return;
    slot.ready = false;
    const worker = cluster.fork({
      [WORKER_SLOT_VARIABLE]: String(slot.slot),
      [WORKER_COUNT_VARIABLE]: String(config.workers),
    });
    slot.worker = worker;
    worker.on('message', (message: { ready?: boolean; cdoHub?: string }) => {
      if (message?.ready === true && !message.cdoHub) return onReady(slot);
      services.handle(worker, message);
    });
    worker.on('exit', (code, signal) => onExit(slot, worker, code, signal));
  };

  const onReady = (slot: Slot) => {
    slot.ready = true;
    slot.failedStarts = 0;
    logger.info({ worker: slot.slot, pid: slot.worker?.process.pid }, 'gateway worker ready');
    if (reported || !slots.every((s) => s.ready)) return;
    reported = true;
    logger.info({ workers: config.workers, pid: process.pid }, 'gateway ready');
    process.send?.({ ready: true, port: config.port });
  };

  const onExit = (slot: Slot, worker: Worker, code: number | null, signal: string | null) => {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    if (stopping) {
      // One still starting has nothing in flight: a signal may end it before it could drain.
      if (code !== 0 && slot.ready) failed = true;
      if (!live().length) finish();
      return;
    }
    const now = Date.now();
    slot.crashes = [...slot.crashes.filter((time) => now - time < policy.memoryMs), now];
    if (!slot.ready) slot.failedStarts++;
    const decision = decideRestart(slot, now, policy);
    if (!decision.restart) {
      logger.fatal(
        { worker: slot.slot, code, signal },
        `gateway worker keeps dying: ${decision.reason}; stopping the gateway`,
      );
      failed = true;
      return stop('a worker keeps dying');
    }
    logger.error(
      { worker: slot.slot, pid: worker.process.pid, code, signal, restartInMs: decision.delayMs },
      'gateway worker exited unexpectedly: restarting it',
    );
    setTimeout(() => fork(slot), decision.delayMs);
  };

  const finish = () => {
    logger.info(
      { failed },
      failed ? 'gateway stopped: a worker did not drain cleanly' : 'gateway stopped: every worker drained',
    );
    process.exit(failed ? 1 : 0);
  };

  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason, workers: live().length }, 'draining every worker');
    // Each worker bounds its own drain (SHUTDOWN_TIMEOUT_MS); this is the backstop for one that hangs.
    setTimeout(() => {
      logger.error('workers did not stop in time: killing them');
      for (const worker of live()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, config.shutdownTimeoutMs + 5_000).unref();
    if (!live().length) return finish();
    for (const worker of live()) worker.process.kill('SIGTERM');
  };

  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  if (process.send) process.on('disconnect', () => stop('parent exited'));
  logger.info({ workers: config.workers, pid: process.pid }, 'starting gateway workers');
  for (const slot of slots) fork(slot);
}
