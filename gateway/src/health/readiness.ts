import { signedSubgraphHeaders } from '../signing';
import type { Supergraph } from '../supergraph';

export interface SubgraphProbe {
  name: string;
  url: string;
  reachable: boolean;
  latencyMs: number;
  error?: string;
}

export interface Readiness {
  ready: boolean;
  supergraph: { loaded: boolean; version?: string; source?: string };
  subgraphs: SubgraphProbe[];
}

/** Ready means: a supergraph is loaded and every subgraph it routes to answers. */
export function assessReadiness(supergraph: Supergraph | undefined, probes: SubgraphProbe[]): Readiness {
  return {
    ready: supergraph !== undefined && probes.every((probe) => probe.reachable),
    supergraph: supergraph ? { loaded: true, version: supergraph.version, source: supergraph.source } : { loaded: false },
    subgraphs: probes,
  };
}

/**
 * Asks a subgraph for `{ __typename }`, the cheapest operation every GraphQL server answers, so
 * readiness works for any subgraph, not only ours.
 */
export async function probeSubgraph(name: string, url: string, timeoutMs: number, signingKey: string): Promise<SubgraphProbe> {
  const started = performance.now();
  const probe = { query: 'query __HubReadiness { __typename }' };
  try {
    const response = await fetch(url, {
      method: 'POST',
      // Signed like the gateway's own fetches: our subgraphs refuse unsigned calls (others ignore it).
      headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true', ...signedSubgraphHeaders(signingKey, probe) },
      body: JSON.stringify(probe),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const latencyMs = Math.round(performance.now() - started);
    if (!response.ok) return { name, url, reachable: false, latencyMs, error: `HTTP ${response.status}` };
    const body = (await response.json()) as { data?: { __typename?: string } };
    return body.data?.__typename ? { name, url, reachable: true, latencyMs } : { name, url, reachable: false, latencyMs, error: 'no data' };
  } catch (error) {
    return { name, url, reachable: false, latencyMs: Math.round(performance.now() - started), error: (error as Error).name === 'TimeoutError' ? 'timeout' : (error as Error).message };
  }
}
