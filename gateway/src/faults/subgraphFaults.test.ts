import { SubgraphFaults, type AdmittedCall, type SubgraphFaultObserver } from './subgraphFaults';

const timeout = { reason: 'timeout', tripsCircuit: true } as const;

function setup() {
  let now = 0;
  const events: string[] = [];
  const observer: SubgraphFaultObserver = {
    callSettled: (subgraph, seconds, failure) =>
      events.push(`settled ${subgraph} ${seconds}s ${failure?.reason ?? 'ok'}`),
    callRefused: (subgraph) => events.push(`refused ${subgraph}`),
    circuitChanged: (subgraph, from, to, cause) => events.push(`${subgraph} ${from ?? '-'} → ${to} (${cause})`),
  };
  const faults = new SubgraphFaults({ failureThreshold: 2, coolDownMs: 1000 }, observer, () => now);
  return { faults, events, advance: (ms: number) => (now += ms) };
}

function admitted(faults: SubgraphFaults, subgraph: string): AdmittedCall {
  const call = faults.admit(subgraph);
  if (!call.admitted) throw new Error(`${subgraph}: not admitted`);
  return call;
}

describe('SubgraphFaults', () => {
  it('keeps one circuit per subgraph through open, half-open and closed, and tells the observer', () => {
    const { faults, events, advance } = setup();
    faults.track('science', 500);
    faults.track('education', 500);
    for (let i = 0; i < 2; i++) {
      const call = admitted(faults, 'science');
      advance(500);
      call.settle(timeout);
    }
    expect(faults.admit('science')).toEqual({ admitted: false, retryInMs: 1000 });
    expect(faults.admit('education').admitted).toBe(true);
    expect(faults.report('science')).toMatchObject({
      circuit: 'open',
      consecutiveFailures: 2,
      openedAt: new Date(1000).toISOString(),
      lastCall: { latencyMs: 500, ok: false },
    });
    expect(faults.report('science').recentFailures).toEqual([
      { at: new Date(1000).toISOString(), reason: 'timeout' },
      { at: new Date(500).toISOString(), reason: 'timeout' },
    ]);
    advance(1000);
    const trial = admitted(faults, 'science');
    expect(faults.report('science').circuit).toBe('half-open');
    expect(faults.admit('science').admitted).toBe(false);
    advance(20);
    trial.settle();
    expect(faults.report('science')).toMatchObject({
      circuit: 'closed',
      consecutiveFailures: 0,
      lastCall: { latencyMs: 20, ok: true },
    });
    expect(faults.report('science').openedAt).toBeUndefined();
    expect(events).toEqual([
      'science - → closed (tracked)',
      'education - → closed (tracked)',
      'settled science 0.5s timeout',
      'settled science 0.5s timeout',
      'science closed → open (timeout)',
      'refused science',
      'science open → half-open (trial-due)',
      'refused science',
      'settled science 0.02s ok',
      'science half-open → closed (trial-succeeded)',
    ]);
  });

  it('does not count a refused call (4xx) against the circuit, but remembers it', () => {
    const { faults } = setup();
    for (let i = 0; i < 3; i++) admitted(faults, 'science').settle({ reason: 'http-401', tripsCircuit: false });
    expect(faults.report('science')).toMatchObject({ circuit: 'closed', consecutiveFailures: 0 });
    expect(faults.report('science').recentFailures).toHaveLength(3);
  });

  it('settles a call once only', () => {
    const { faults } = setup();
    const call = admitted(faults, 'science');
    call.settle(timeout);
    call.settle(timeout);
    expect(faults.report('science').consecutiveFailures).toBe(1);
  });
});
