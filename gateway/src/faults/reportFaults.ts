import type { Logger } from 'pino';
import type { HubMetrics } from '../metrics';
import { CIRCUIT_STATES } from './circuitBreaker';
import type { SubgraphFaultObserver } from './subgraphFaults';

/** Subgraph calls and circuits into `/metrics`, and each circuit change into one log line. */
export function reportFaults(metrics: HubMetrics, logger: Logger): SubgraphFaultObserver {
  return {
    callSettled(subgraph, seconds, failure) {
      metrics.subgraphFetchLatency.observe({ subgraph, outcome: failure ? 'error' : 'ok' }, seconds);
      if (failure) metrics.subgraphErrors.inc({ subgraph, reason: failure.reason });
    },
    callRefused(subgraph) {
      metrics.subgraphErrors.inc({ subgraph, reason: 'circuit-open' });
    },
    circuitChanged(subgraph, from, to, cause) {
      for (const state of CIRCUIT_STATES) metrics.subgraphCircuitState.set({ subgraph, state }, state === to ? 1 : 0);
      if (from === undefined) return;
      metrics.subgraphCircuitTransitions.inc({ subgraph, state: to });
      const line = { agency: subgraph, from, to, cause };
      if (to === 'open')
        logger.warn(line, 'subgraph circuit opened: calls to it fail fast until a trial call succeeds');
      else logger.info(line, `subgraph circuit ${to}`);
    },
  };
}
