import type { SubgraphFaultReport } from '../faults';
import { signedSubgraphHeaders } from '../signing';
import type { Supergraph } from '../supergraph';

export interface SubgraphProbe {
  name: string;
  url: string;
  reachable: boolean;
  latencyMs: number;
  error?: string;
}

/** A subgraph as `/readyz` shows it: the probe just made, and what the gateway's own calls saw (its circuit). */
export type SubgraphReadiness = SubgraphProbe & Partial<SubgraphFaultReport>;

/**
 * `ready`: a supergraph is loaded and every subgraph answers with its circuit closed.
 * `degraded`: some subgraphs are down (unreachable, or their circuit open), others serve: the
 * gateway answers with partial data and errors naming the missing agencies, so it stays in the
 * load balancer. `unready`: no supergraph, or no subgraph serves: nothing useful can be answered.
 */
export type ReadinessStatus = 'ready' | 'degraded' | 'unready';

export interface Readiness {
  status: ReadinessStatus;
  /** Whether to route traffic here (`status` is not `unready`); `/readyz` answers 200 when true, 503 otherwise. */
  ready: boolean;
  supergraph: { loaded: boolean; version?: string; source?: string };
  subgraphs: SubgraphReadiness[];
}

export function assessReadiness(
  supergraph: Supergraph | undefined,
  probes: SubgraphProbe[],
  faults?: (subgraph: string) => SubgraphFaultReport,
): Readiness {
  const subgraphs: SubgraphReadiness[] = probes.map((probe) => ({ ...probe, ...faults?.(probe.name) }));
  const down = subgraphs.filter((subgraph) => !subgraph.reachable || subgraph.circuit === 'open').length;
  const status: ReadinessStatus =
    supergraph === undefined || (subgraphs.length > 0 && down === subgraphs.length)
      ? 'unready'
      : down > 0 || subgraphs.some((subgraph) => subgraph.circuit !== undefined && subgraph.circuit !== 'closed')
        ? 'degraded'
        : 'ready';
  return {
    status,
    ready: status !== 'unready',
    supergraph: supergraph
      ? { loaded: true, version: supergraph.version, source: supergraph.source }
      : { loaded: false },
    subgraphs,
  };
}

/**
 * Asks a subgraph for `{ __typename }`, the cheapest operation every GraphQL server answers, so
 * readiness works for any subgraph, not only ours.
 */
export async function probeSubgraph(
  name: string,
  url: string,
  timeoutMs: number,
  signingKey: string,
): Promise<SubgraphProbe> {
  const started = performance.now();
  const probe = { query: 'query __HubReadiness { __typename }' };
  try {
    const response = await fetch(url, {
      method: 'POST',
      // Signed like the gateway's own fetches: our subgraphs refuse unsigned calls (others ignore it).
      headers: {
        'content-type': 'application/json',
        'apollo-require-preflight': 'true',
        ...signedSubgraphHeaders(signingKey, name, probe),
      },
      body: JSON.stringify(probe),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const latencyMs = Math.round(performance.now() - started);
    if (!response.ok) return { name, url, reachable: false, latencyMs, error: `HTTP ${response.status}` };
    const body = (await response.json()) as { data?: { __typename?: string } };
    return body.data?.__typename
      ? { name, url, reachable: true, latencyMs }
      : { name, url, reachable: false, latencyMs, error: 'no data' };
  } catch (error) {
    return {
      name,
      url,
      reachable: false,
      latencyMs: Math.round(performance.now() - started),
      error: (error as Error).name === 'TimeoutError' ? 'timeout' : (error as Error).message,
    };
  }
}

/**
 * What `/readyz` tells anyone: whether to route traffic here, and the status word. Which agencies
 * are down, their latencies, circuits and failures, the supergraph's version and the cache's state
 * are for operators (a `hub-operator` token, or the METRICS_PORT listener).
 */
export function readinessSummary(readiness: Pick<Readiness, 'status' | 'ready'>): {
  status: ReadinessStatus;
  ready: boolean;
} {
  return { status: readiness.status, ready: readiness.ready };
}
