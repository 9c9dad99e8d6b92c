import type { SubgraphFaultReport } from '../faults';
import type { Supergraph } from '../supergraph';
import { assessReadiness, type SubgraphProbe } from './readiness';

const supergraph = { version: '0123456789abcdef', source: 'file' } as Supergraph;
const probe = (name: string, reachable = true): SubgraphProbe => ({
  name,
  url: `http://${name}/graphql`,
  reachable,
  latencyMs: 3,
});
const circuits =
  (states: Record<string, SubgraphFaultReport['circuit']>) =>
  (name: string): SubgraphFaultReport => ({
    circuit: states[name] ?? 'closed',
    consecutiveFailures: 0,
    recentFailures: [],
  });

describe('assessReadiness', () => {
  it('is ready when every subgraph answers with its circuit closed', () => {
    const readiness = assessReadiness(supergraph, [probe('a'), probe('b')], circuits({}));
    expect(readiness).toMatchObject({
      status: 'ready',
      ready: true,
      supergraph: { loaded: true, version: supergraph.version },
    });
    expect(readiness.subgraphs[0]).toMatchObject({ name: 'a', reachable: true, circuit: 'closed' });
  });

  it('is degraded, and still ready for traffic, when some subgraphs are down or their circuit is not closed', () => {
    expect(assessReadiness(supergraph, [probe('a'), probe('b', false)], circuits({}))).toMatchObject({
      status: 'degraded',
      ready: true,
    });
    expect(assessReadiness(supergraph, [probe('a'), probe('b')], circuits({ b: 'open' }))).toMatchObject({
      status: 'degraded',
      ready: true,
    });
    expect(assessReadiness(supergraph, [probe('a'), probe('b')], circuits({ b: 'half-open' }))).toMatchObject({
      status: 'degraded',
      ready: true,
    });
  });

  it('is unready when no subgraph serves, or no supergraph is loaded', () => {
    expect(assessReadiness(supergraph, [probe('a', false), probe('b')], circuits({ b: 'open' }))).toMatchObject({
      status: 'unready',
      ready: false,
    });
    expect(assessReadiness(undefined, [], circuits({}))).toMatchObject({
      status: 'unready',
      ready: false,
      supergraph: { loaded: false },
    });
  });
});
