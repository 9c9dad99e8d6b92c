import cluster from 'node:cluster';

/** Which worker this process is, when a gateway primary forked it: its slot (1…count) and the count. */
export interface GatewayWorker {
  slot: number;
  count: number;
}

/** Set by the primary on each worker it forks: a restarted worker takes its slot's name (and audit chain) again. */
export const WORKER_SLOT_VARIABLE = 'CDO_HUB_WORKER_SLOT';
export const WORKER_COUNT_VARIABLE = 'CDO_HUB_WORKER_COUNT';

/** This process's worker identity; undefined for a gateway that runs as one process. */
export function currentGatewayWorker(env: NodeJS.ProcessEnv = process.env): GatewayWorker | undefined {
  if (!cluster.isWorker) return undefined;
  const slot = Number(env[WORKER_SLOT_VARIABLE]);
  const count = Number(env[WORKER_COUNT_VARIABLE]);
  return Number.isInteger(slot) && slot > 0 && Number.isInteger(count) ? { slot, count } : undefined;
}
